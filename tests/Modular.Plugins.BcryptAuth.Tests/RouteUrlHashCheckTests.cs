using Modular.Abstractions.Plugins;
using Modular.Core.Config;

namespace Modular.Plugins.BcryptAuth.Tests;

/// <summary>
/// nats-server issue #750: a bcrypt hash pasted into a route URL can never authenticate; the bcrypt
/// plugin (not the core) checks the route list and says why, at the route's line.
/// </summary>
public sealed class RouteUrlHashCheckTests
{
    [Theory]
    [InlineData("nats-route://ruser:$2a$11$M2.Aflhz3sB81WXkRGFtzO9t1FG0W7BoazgSISC7D/zhfbsZI0Tem@n2:6222")]
    [InlineData("nats-route://ruser:%242b%2404%24abcdefghijklmnopqrstuv@n2:6222")]
    public void Configure_BcryptHashInRouteUrl_ErrorAtTheRouteLineExplainsThePlainPasswordGoesThere(string url)
    {
        var toml = "[cluster]\nlisten = \"127.0.0.1:6222\"\nroutes = [\n  \"" + url + "\",\n]\n";

        var line = Assert.Single(RouteAuthErrors(toml));

        Assert.StartsWith("n1.toml:4: cluster.routes", line, StringComparison.Ordinal);
        Assert.Contains("is a bcrypt hash", line, StringComparison.Ordinal);
        Assert.Contains("plain password", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_PlainPasswordWithDollarSigns_IsFine()
    {
        var toml = "[cluster]\nlisten = \"127.0.0.1:6222\"\nroutes = [\"nats-route://ruser:pa$$word@n2:6222\"]\n";

        Assert.Empty(RouteAuthErrors(toml));
    }

    [Fact]
    public void Load_HashInRouteUrl_TheCoreKnowsNoBcrypt()
    {
        var toml = "[cluster]\nlisten = \"127.0.0.1:6222\"\nroutes = [\"nats-route://ruser:$2a$11$M2.Aflhz3sB81WXkRGFtzO9t1FG0W7BoazgSISC7D/zhfbsZI0Tem@n2:6222\"]\n";

        var options = ConfigLoader.LoadFromString(toml, "n1.toml");

        var route = Assert.Single(options.Cluster!.Routes);
        Assert.Equal("n2", route.Host);
        Assert.Equal("ruser:$2a$11$M2.Aflhz3sB81WXkRGFtzO9t1FG0W7BoazgSISC7D/zhfbsZI0Tem", Uri.UnescapeDataString(route.UserInfo));
    }

    [Fact]
    public void CheckClusterRoutes_ReloadAddsAHashInARouteUrl_TheStartUpErrorAtTheNewRouteLine()
    {
        var started = ConfigLoader.LoadFromString("[cluster]\nlisten = \"127.0.0.1:6222\"\nroutes = [\"nats-route://ruser:plain@n2:6222\"]\n", "n1.toml");
        var plugin = new BcryptAuthPlugin();
        var settings = RouteAuthSettings();
        plugin.Configure(new PluginContext { PluginName = "bcrypt", TableName = "cluster.auth", Settings = settings, ClusterRoutes = started.Cluster!.Routes, ClusterRouteLines = started.Cluster.RouteLines });
        Assert.Empty(settings.Errors);
        var reloaded = ConfigLoader.LoadFromString(
            "[cluster]\nlisten = \"127.0.0.1:6222\"\nroutes = [\n  \"nats-route://ruser:plain@n2:6222\",\n  \"nats-route://ruser:$2a$11$M2.Aflhz3sB81WXkRGFtzO9t1FG0W7BoazgSISC7D/zhfbsZI0Tem@n3:6222\",\n]\n",
            "n1.toml");
        var report = new PluginSettings("cluster.auth", new Dictionary<string, PluginSetting>());

        plugin.CheckClusterRoutes(reloaded.Cluster!.Routes, reloaded.Cluster.RouteLines, report);

        var error = Assert.Single(report.Errors);
        Assert.StartsWith("n1.toml:5: cluster.routes: the password in this route URL is a bcrypt hash", new ConfigError("n1.toml", error.Line, error.Key, error.Message).ToString(), StringComparison.Ordinal);
    }

    private static PluginSettings RouteAuthSettings() => new("cluster.auth", new Dictionary<string, PluginSetting>
    {
        ["user"] = new("ruser", 8),
        ["password"] = new("$2a$04$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234", 9),
    });

    /// <summary>The errors [cluster.auth] with bcrypt reports for the config's routes, as the lines users see.</summary>
    private static List<string> RouteAuthErrors(string toml)
    {
        var options = ConfigLoader.LoadFromString(toml, "n1.toml");
        var settings = RouteAuthSettings();
        new BcryptAuthPlugin().Configure(new PluginContext
        {
            PluginName = "bcrypt",
            TableName = "cluster.auth",
            Settings = settings,
            ConfigFile = "n1.toml",
            ClusterRoutes = options.Cluster!.Routes,
            ClusterRouteLines = options.Cluster.RouteLines,
        });
        return settings.Errors.Select(e => new ConfigError("n1.toml", e.Line, e.Key, e.Message).ToString()).ToList();
    }
}
