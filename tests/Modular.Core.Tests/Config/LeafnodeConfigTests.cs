using Modular.Core.Config;

namespace Modular.Core.Tests.Config;

/// <summary>The <c>[leafnodes]</c> table: listen (or host/port), advertise, authorization and remotes = [{ url(s), account }].</summary>
public class LeafnodeConfigTests
{
    [Fact]
    public void LoadFromString_NoLeafnodesTable_NoLeafnodes()
    {
        var options = ConfigLoader.LoadFromString("[server]\nname = \"n\"\n", "l.toml");

        Assert.Null(options.Leafnodes);
    }

    [Fact]
    public void LoadFromString_LeafnodesTlsAndAuthTables_BoundAsPluginTables()
    {
        var options = ConfigLoader.LoadFromString(
            """
            plugins = ["tls", "bcrypt"]

            [leafnodes]
            listen = "127.0.0.1:7423"

            [leafnodes.tls]
            use = "tls"
            cert_file = "c.pem"
            key_file = "k.pem"

            [leafnodes.auth]
            use = "bcrypt"
            user = "leaf"
            password = "secret"
            """,
            "l.toml");

        var tables = options.Leafnodes!.PluginTables;
        Assert.Equal(("tls", "leafnodes.tls"), (tables["tls"].Use, tables["tls"].TableName));
        Assert.Equal(("bcrypt", "leafnodes.auth"), (tables["auth"].Use, tables["auth"].TableName));
    }

    [Fact]
    public void LoadFromString_EveryLeafnodesKey_Bound()
    {
        var options = ConfigLoader.LoadFromString(
            """
            [accounts.A]
            users = [{ user = "a", password = "p" }]

            [leafnodes]
            listen = "127.0.0.1:7423"
            advertise = "203.0.113.5:7423"
            remotes = [
              { url = "nats-leaf://u:p@hub1:7422", account = "A" },
              { urls = ["nats-leaf://hub2:7422", "nats-leaf://hub3:7422"] },
            ]

            [leafnodes.authorization]
            users = [{ user = "leaf", password = "secret", account = "A" }, { user = "other", password = "x" }]
            """,
            "l.toml");

        var leafnodes = options.Leafnodes!;
        Assert.Equal(("127.0.0.1", 7423), (leafnodes.Host, leafnodes.Port));
        Assert.Equal("203.0.113.5:7423", leafnodes.Advertise);
        Assert.Equal(["A", null], leafnodes.Remotes.Select(r => r.Account));
        Assert.Equal(["hub1:7422"], leafnodes.Remotes[0].Urls.Select(u => $"{u.Host}:{u.Port}"));
        Assert.Equal(["hub2:7422", "hub3:7422"], leafnodes.Remotes[1].Urls.Select(u => $"{u.Host}:{u.Port}"));
        Assert.Equal([("leaf", "secret", "A"), ("other", "x", null)], leafnodes.Users.Select(u => (u.User, u.Password, u.Account)));
    }

    [Fact]
    public void LoadFromString_HostAndPort_ListenOnThem()
    {
        var options = ConfigLoader.LoadFromString("[leafnodes]\nport = 7500\n", "l.toml");

        Assert.Equal(("0.0.0.0", 7500), (options.Leafnodes!.Host, options.Leafnodes.Port));
    }

    [Theory]
    [InlineData("[leafnodes]\nlistn = \"127.0.0.1:7422\"\n", "l.toml:2: leafnodes.listn: unknown key")]
    [InlineData("[leafnodes]\nremotes = [{ account = \"A\" }]\n[accounts.A]\nusers = []\n", "l.toml:2: leafnodes.remotes")]
    [InlineData("[leafnodes]\nremotes = [{ url = \"hub:7422\" }]\n", "l.toml:2: leafnodes.remotes")]
    [InlineData("[leafnodes]\nremotes = [{ url = \"nats-leaf://hub:7422\", account = \"NOPE\" }]\n", "l.toml:2: leafnodes.remotes")]
    [InlineData("[leafnodes]\nlisten = \"127.0.0.1:4222\"\n[server]\nlisten = \"127.0.0.1:4222\"\n", "l.toml:")]
    public void LoadFromString_BadLeafnodesSettings_ErrorWithLine(string toml, string expectedStart)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString(toml, "l.toml"));

        Assert.Contains(ex.Errors, e => e.ToString().StartsWith(expectedStart, StringComparison.Ordinal));
    }
}
