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

    private const string SeedBlock = "-----BEGIN USER NKEY SEED-----\n{0}\n------END USER NKEY SEED------\n";

    private static string TempFile(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"modular-leafcfg-{Guid.NewGuid():N}.creds");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void LoadFromString_RemoteCredentialsAndNkeyUsers_Bound()
    {
        using var user = NATS.NKeys.KeyPair.CreatePair(NATS.NKeys.PrefixByte.User);
        var creds = TempFile("-----BEGIN NATS USER JWT-----\neyJhbGciOi.e30.sig\n------END NATS USER JWT------\n\n" + string.Format(SeedBlock, user.GetSeed()));
        var options = ConfigLoader.LoadFromString(
            $$"""
            [leafnodes]
            listen = "127.0.0.1:7423"
            remotes = [
              { url = "nats-leaf://hub1:7422", credentials = "{{creds}}" },
              { url = "nats-leaf://hub2:7422", nkey = "{{user.GetSeed()}}" },
            ]

            [leafnodes.authorization]
            users = [{ nkey = "{{user.GetPublicKey()}}", account = "$G" }]
            """,
            "l.toml");

        var leafnodes = options.Leafnodes!;
        Assert.Equal((creds, null), (leafnodes.Remotes[0].CredentialsFile, leafnodes.Remotes[0].NkeySeed));
        Assert.Equal(user.GetSeed(), leafnodes.Remotes[1].NkeySeed);
        Assert.Equal(user.GetPublicKey(), leafnodes.Users.Single().Nkey);
        var loaded = Leafnodes.LeafCredentials.FromFile(creds, out var error);
        Assert.Null(error);
        Assert.Equal(("eyJhbGciOi.e30.sig", user.GetPublicKey()), (loaded!.Jwt, loaded.PublicKey));
    }

    [Fact]
    public void LeafCredentials_SignedNonce_VerifiesOnlyWithItsKeyAndNonce()
    {
        using var user = NATS.NKeys.KeyPair.CreatePair(NATS.NKeys.PrefixByte.User);
        using var other = NATS.NKeys.KeyPair.CreatePair(NATS.NKeys.PrefixByte.User);
        var credentials = Leafnodes.LeafCredentials.FromSeed(user.GetSeed(), out _)!;
        var sig = credentials.Sign("nonce-1");

        Assert.DoesNotContain('=', sig);
        Assert.True(Leafnodes.LeafCredentials.Verifies(user.GetPublicKey(), "nonce-1", sig));
        Assert.False(Leafnodes.LeafCredentials.Verifies(user.GetPublicKey(), "nonce-2", sig));
        Assert.False(Leafnodes.LeafCredentials.Verifies(other.GetPublicKey(), "nonce-1", sig));
        Assert.False(Leafnodes.LeafCredentials.Verifies(user.GetPublicKey(), "nonce-1", "not base64!"));
        Assert.False(Leafnodes.LeafCredentials.Verifies(user.GetPublicKey(), "nonce-1", null));
    }

    [Fact]
    public void LoadFromString_BadCredentialsOrNkeys_OneLineErrorNamingFileKeyAndLine()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"modular-missing-{Guid.NewGuid():N}.creds");
        var noSeed = TempFile("-----BEGIN NATS USER JWT-----\neyJ.e30.x\n------END NATS USER JWT------\n");
        var badSeed = TempFile(string.Format(SeedBlock, "SUNOTASEED"));
        (string Toml, string Expected)[] cases =
        [
            ($"[leafnodes]\nremotes = [{{ url = \"nats-leaf://h:7422\", credentials = \"{missing}\" }}]\n", $"l.toml:2: leafnodes.remotes[0].credentials: credentials file \"{missing}\" not found"),
            ($"[leafnodes]\nremotes = [{{ url = \"nats-leaf://h:7422\", credentials = \"{noSeed}\" }}]\n", $"l.toml:2: leafnodes.remotes[0].credentials: credentials file \"{noSeed}\" has no user nkey seed"),
            ($"[leafnodes]\nremotes = [{{ url = \"nats-leaf://h:7422\", credentials = \"{badSeed}\" }}]\n", $"l.toml:2: leafnodes.remotes[0].credentials: credentials file \"{badSeed}\": the user nkey seed is malformed"),
            ("[leafnodes]\nremotes = [{ url = \"nats-leaf://h:7422\", nkey = \"UABC\" }]\n", "l.toml:2: leafnodes.remotes[0].nkey: expected a user nkey seed (SU...)"),
            ("[leafnodes]\nlisten = \"127.0.0.1:7422\"\n[leafnodes.authorization]\nusers = [{ nkey = \"UNOTAKEY\" }]\n", "l.toml:4: leafnodes.authorization.users[0].nkey: expected a public user nkey"),
        ];

        foreach (var (toml, expected) in cases)
        {
            var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString(toml, "l.toml"));
            Assert.True(ex.Errors.Any(e => e.ToString().StartsWith(expected, StringComparison.Ordinal)), $"expected \"{expected}\", got: {string.Join(" | ", ex.Errors)}");
        }
    }
}
