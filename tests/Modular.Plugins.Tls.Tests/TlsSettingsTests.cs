using Modular.Abstractions.Transport;
using Modular.Testing.Secure;

namespace Modular.Plugins.Tls.Tests;

public sealed class TlsSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modular-tls-settings-").FullName;
    private readonly DevCertificates _ca = DevCertificates.CreateAuthority();

    [Fact]
    public void Configure_GoodFiles_NoErrors()
    {
        var (plugin, settings) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_ca.WriteServer(_dir, "n1")));

        Assert.Empty(settings.Errors);
        Assert.Equal("CN=n1", plugin.Material!.Certificate.Subject);
    }

    [Fact]
    public void Configure_RelativePaths_ResolvedAgainstTheConfigFolder()
    {
        _ca.WriteServer(_dir, "n1");
        var values = new Dictionary<string, object> { ["cert_file"] = "n1-cert.pem", ["key_file"] = "n1-key.pem", ["ca_file"] = "test-ca-ca.pem" };
        File.Copy(Directory.GetFiles(_dir, "*-ca.pem")[0], Path.Combine(_dir, "test-ca-ca.pem"), overwrite: true);

        var (_, settings) = TlsPlugins.Configure("cluster.tls", values, directory: _dir);

        Assert.Empty(settings.Errors);
    }

    [Fact]
    public void Configure_MissingFile_OneErrorNamingKeyAndPath()
    {
        var values = TlsPlugins.Files(_ca.WriteServer(_dir, "n1"));
        values["cert_file"] = Path.Combine(_dir, "nope.pem");

        var (_, settings) = TlsPlugins.Configure("cluster.tls", values);

        var error = Assert.Single(settings.Errors);
        Assert.Equal("cluster.tls.cert_file", error.Key);
        Assert.Contains("cannot read", error.Message);
        Assert.Contains("nope.pem: no such file", error.Message);
    }

    [Fact]
    public void Configure_KeyOfAnotherCertificate_OneErrorSayingTheyDoNotMatch()
    {
        var values = TlsPlugins.Files(_ca.WriteServer(_dir, "n1"));
        values["key_file"] = _ca.WriteServer(_dir, "n2").Key;

        var (_, settings) = TlsPlugins.Configure("cluster.tls", values);

        var error = Assert.Single(settings.Errors);
        Assert.Equal("cluster.tls.key_file", error.Key);
        Assert.Contains("does not match the certificate", error.Message);
    }

    [Fact]
    public void Configure_ExpiredCertificate_OneErrorWithTheDate()
    {
        var values = TlsPlugins.Files(_ca.WriteServer(_dir, "old", notAfter: DateTimeOffset.UtcNow.AddDays(-2)));

        var (_, settings) = TlsPlugins.Configure("cluster.tls", values);

        var error = Assert.Single(settings.Errors);
        Assert.Equal("cluster.tls.cert_file", error.Key);
        Assert.Contains("expired on", error.Message);
    }

    [Fact]
    public void Configure_KeyFileIsNotAKey_OneError()
    {
        var values = TlsPlugins.Files(_ca.WriteServer(_dir, "n1"));
        values["key_file"] = values["cert_file"];

        var (_, settings) = TlsPlugins.Configure("cluster.tls", values);

        var error = Assert.Single(settings.Errors);
        Assert.Contains("no usable private key", error.Message);
    }

    [Fact]
    public void Configure_RouteOnlyAndClientOnlyKeysInTheWrongTable_AreErrors()
    {
        var route = TlsPlugins.Files(_ca.WriteServer(_dir, "n1"));
        route["handshake_first"] = true;
        var client = TlsPlugins.Files(_ca.WriteServer(_dir, "n1"));
        client["server_name"] = "x";

        Assert.Contains(TlsPlugins.Configure("cluster.tls", route).Settings.Errors, e => e.Key == "cluster.tls.handshake_first");
        Assert.Contains(TlsPlugins.Configure("server.tls", client).Settings.Errors, e => e.Key == "server.tls.server_name");
    }

    [Fact]
    public void ClientUpgrade_HandshakeFirst_DeclaresBeforeInfo_OtherwiseAfterInfo_AndSaysItIsTls()
    {
        var first = TlsPlugins.Files(_ca.WriteServer(_dir, "n1"));
        first["handshake_first"] = true;

        IConnectionWrapper beforeInfo = TlsPlugins.Configure("server.tls", first).Plugin;
        IConnectionWrapper afterInfo = TlsPlugins.Configure("server.tls", TlsPlugins.Files(_ca.WriteServer(_dir, "n1"))).Plugin;

        Assert.Equal(ClientUpgradeTiming.BeforeInfo, beforeInfo.ClientUpgrade);
        Assert.Equal(ClientUpgradeTiming.AfterInfo, afterInfo.ClientUpgrade);
        Assert.True(beforeInfo.RequiresTls);
        Assert.True(afterInfo.RequiresTls);
    }

    [Fact]
    public void Configure_UnknownKey_SuggestsADeclaredOne()
    {
        var values = TlsPlugins.Files(_ca.WriteServer(_dir, "n1"));
        values["min_versoin"] = "1.3";

        var (_, settings) = TlsPlugins.Configure("server.tls", values);

        Assert.EndsWith("did you mean \"min_version\"?", Assert.Single(settings.UnknownKeyErrors("tls")).Message, StringComparison.Ordinal);
        Assert.Contains(settings.Declared, k => k.Name == "handshake_first");
    }

    [Fact]
    public void Configure_MinVersionBelowTls12_IsAnError()
    {
        var values = TlsPlugins.Files(_ca.WriteServer(_dir, "n1"));
        values["min_version"] = "1.1";

        var (_, settings) = TlsPlugins.Configure("cluster.tls", values);

        Assert.Contains(settings.Errors, e => e.Key == "cluster.tls.min_version");
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
