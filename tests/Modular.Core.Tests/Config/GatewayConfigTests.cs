using Modular.Core.Config;

namespace Modular.Core.Tests.Config;

/// <summary>The <c>[gateway]</c> table: name, listen, advertise, connect_retries, reject_unknown and gateways = [{ name, urls }].</summary>
public class GatewayConfigTests
{
    [Fact]
    public void LoadFromString_NoGatewayTable_NoGateways()
    {
        var options = ConfigLoader.LoadFromString("[server]\nname = \"n\"\n", "g.toml");

        Assert.Null(options.Gateway);
    }

    [Fact]
    public void LoadFromString_EveryGatewayKey_Bound()
    {
        var options = ConfigLoader.LoadFromString(
            """
            [gateway]
            name = "east"
            listen = "0.0.0.0:7300"
            advertise = "203.0.113.5:7300"
            connect_retries = 3
            reject_unknown = true
            gateways = [
              { name = "west", urls = ["nats://w1:7222", "nats://w2:7222"] },
              { name = "north", urls = ["nats://n1:7222"] },
            ]
            """,
            "g.toml");

        var gateway = options.Gateway!;
        Assert.Equal("east", gateway.Name);
        Assert.Equal(("0.0.0.0", 7300), (gateway.Host, gateway.Port));
        Assert.Equal("203.0.113.5:7300", gateway.Advertise);
        Assert.Equal(3, gateway.ConnectRetries);
        Assert.True(gateway.RejectUnknown);
        Assert.Equal(["west", "north"], gateway.Gateways.Select(g => g.Name));
        Assert.Equal(["w1:7222", "w2:7222"], gateway.Gateways[0].Urls.Select(u => $"{u.Host}:{u.Port}"));
    }

    [Theory]
    [InlineData("[gateway]\nlisten = \"127.0.0.1:7222\"\n", "g.toml:1: gateway: missing name")]
    [InlineData("[gateway]\nname = \"a\"\nrejct_unknown = true\n", "g.toml:3: gateway.rejct_unknown: unknown key")]
    [InlineData("[gateway]\nname = \"a\"\ngateways = [{ name = \"b\", urls = [\"b:7222\"] }]\n", "g.toml:3: gateway.gateways")]
    [InlineData("[gateway]\nname = \"a\"\ngateways = [{ urls = [\"nats://b:7222\"] }]\n", "g.toml:3: gateway.gateways")]
    [InlineData("[gateway]\nname = \"a\"\ngateways = [{ name = \"b\" }, { name = \"b\" }]\n", "g.toml:3: gateway.gateways")]
    [InlineData("[gateway]\nname = \"a\"\nlisten = \"127.0.0.1:4222\"\n[server]\nlisten = \"127.0.0.1:4222\"\n", "g.toml:")]
    public void LoadFromString_BadGatewaySettings_ErrorWithLine(string toml, string expectedStart)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString(toml, "g.toml"));

        Assert.Contains(ex.Errors, e => e.ToString().StartsWith(expectedStart, StringComparison.Ordinal));
    }
}
