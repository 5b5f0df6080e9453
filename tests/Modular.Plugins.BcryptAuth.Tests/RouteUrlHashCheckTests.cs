using Modular.Core.Config;

namespace Modular.Plugins.BcryptAuth.Tests;

/// <summary>nats-server issue #750: a bcrypt hash pasted into a route URL can never authenticate; the config check says why.</summary>
public sealed class RouteUrlHashCheckTests
{
    [Theory]
    [InlineData("nats-route://ruser:$2a$11$M2.Aflhz3sB81WXkRGFtzO9t1FG0W7BoazgSISC7D/zhfbsZI0Tem@n2:6222")]
    [InlineData("nats-route://ruser:%242b%2404%24abcdefghijklmnopqrstuv@n2:6222")]
    public void Load_BcryptHashInRouteUrl_ErrorExplainsThePlainPasswordGoesThere(string url)
    {
        var toml = "[cluster]\nlisten = \"127.0.0.1:6222\"\nroutes = [\n  \"" + url + "\",\n]\n";

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString(toml, "n1.toml"));

        var line = Assert.Single(error.Errors).ToString();
        Assert.StartsWith("n1.toml:4: cluster.routes", line, StringComparison.Ordinal);
        Assert.Contains("is a bcrypt hash", line, StringComparison.Ordinal);
        Assert.Contains("plain password", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PlainPasswordWithDollarSigns_IsFine()
    {
        var toml = "[cluster]\nlisten = \"127.0.0.1:6222\"\nroutes = [\"nats-route://ruser:pa$$word@n2:6222\"]\n";

        var options = ConfigLoader.LoadFromString(toml, "n1.toml");

        Assert.Single(options.Cluster!.Routes);
    }
}
