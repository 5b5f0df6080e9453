using Modular.Core.Config;

namespace Modular.Core.Tests.Config;

/// <summary>The <c>[monitor]</c> table: listen, token, user/password, base_path and <c>[monitor.tls]</c>.</summary>
public class MonitorConfigTests
{
    [Fact]
    public void LoadFromString_NoMonitorTable_MonitoringOff()
    {
        var options = ConfigLoader.LoadFromString("[server]\nname = \"n\"\n", "m.toml");

        Assert.False(options.Monitor.Enabled);
    }

    [Fact]
    public void LoadFromString_EveryMonitorKey_Bound()
    {
        var options = ConfigLoader.LoadFromString(
            "[monitor]\nlisten = \"0.0.0.0:9222\"\ntoken = \"t0k\"\nuser = \"ops\"\npassword = \"pw\"\nbase_path = \"nats/\"\n[monitor.tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n",
            "m.toml");

        var monitor = options.Monitor;
        Assert.Equal("0.0.0.0", monitor.Host);
        Assert.Equal(9222, monitor.Port);
        Assert.Equal("t0k", monitor.Token);
        Assert.Equal("ops", monitor.User);
        Assert.Equal("pw", monitor.Password);
        Assert.Equal("/nats", monitor.BasePath);
        Assert.Equal("c.pem", monitor.TlsCertFile);
        Assert.Equal("k.pem", monitor.TlsKeyFile);
        Assert.True(monitor.TlsEnabled);
    }

    [Theory]
    [InlineData("\"\"", "")]
    [InlineData("\"/\"", "")]
    [InlineData("\"/a/b/\"", "/a/b")]
    public void LoadFromString_BasePath_NormalizedToLeadingSlashNoTrailing(string written, string expected)
    {
        var options = ConfigLoader.LoadFromString($"[monitor]\nbase_path = {written}\n", "m.toml");

        Assert.Equal(expected, options.Monitor.BasePath);
    }

    [Theory]
    [InlineData("[monitor]\nuser = \"ops\"\n", "m.toml:2: monitor.user: user and password go together")]
    [InlineData("[monitor]\nbase_path = \"/a?b\"\n", "m.toml:2: monitor.base_path: base_path \"/a?b\" is not a URL path")]
    [InlineData("[monitor]\n[monitor.tls]\ncert_file = \"c.pem\"\n", "m.toml:2: monitor.tls: monitor.tls needs both cert_file and key_file")]
    [InlineData("[monitor]\n[monitor.tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\nca_fil = \"x\"\n", "m.toml:5: monitor.tls.ca_fil: unknown key")]
    [InlineData("[monitor]\ntokn = \"x\"\n", "m.toml:2: monitor.tokn: unknown key")]
    public void LoadFromString_BadMonitorSettings_ErrorWithLine(string toml, string expectedStart)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString(toml, "m.toml"));

        Assert.Contains(ex.Errors, e => e.ToString().StartsWith(expectedStart, StringComparison.Ordinal));
    }
}
