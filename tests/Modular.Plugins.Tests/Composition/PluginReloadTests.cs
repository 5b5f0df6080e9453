using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Config;
using Modular.Core.Plugins;
using Modular.Core.Server;
using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Composition;

/// <summary>
/// The reload half of the plugin composition, with the bundled plugins: a running instance checks a
/// changed route list as it checked the one it started with, and what a running server cannot swap
/// is named by the table the mapping data gives it.
/// </summary>
public sealed class PluginReloadTests : IDisposable
{
    private const string RouteHash = "$2a$04$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234";

    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task PrepareReload_AddedRouteUrlCarriesABcryptHash_RefusedAtItsLineByTheRunningBcryptInstance()
    {
        var (catalog, composition, _) = Compose.Configure(_scratch, RouteAuthConfig("\"nats-route://ruser:plain@127.0.0.1:7001\""));
        using (catalog)
        {
            await using (composition)
            {
                var next = Load(RouteAuthConfig("\"nats-route://ruser:plain@127.0.0.1:7001\",\n  \"nats-route://ruser:" + RouteHash + "@127.0.0.1:7002\""));

                var refused = Assert.Throws<ConfigException>(() => composition.PrepareReload(next, catalog));

                var error = Assert.Single(refused.Errors);
                Assert.Equal("cluster.routes", error.Key);
                Assert.Equal(next.Cluster!.RouteLines[1], error.Line);
                Assert.Contains("is a bcrypt hash", error.Message, StringComparison.Ordinal);
                Assert.Same(composition.Instances.Single().Plugin, composition.Seams.RouteAuthenticator);
            }
        }
    }

    [Fact]
    public async Task PrepareReload_AddedRouteUrlWithPlainPassword_KeepsTheRunningInstance()
    {
        var (catalog, composition, _) = Compose.Configure(_scratch, RouteAuthConfig("\"nats-route://ruser:plain@127.0.0.1:7001\""));
        using (catalog)
        {
            await using (composition)
            {
                var running = composition.Instances.Single();
                var next = Load(RouteAuthConfig("\"nats-route://ruser:plain@127.0.0.1:7001\",\n  \"nats-route://ruser:plain@127.0.0.1:7002\""));

                await using var reload = composition.PrepareReload(next, catalog);
                await reload.CommitAsync();

                Assert.Empty(reload.ChangedTables);
                Assert.Same(running, composition.Instances.Single());
            }
        }
    }

    [Fact]
    public async Task WhyServerCannotTake_CompressionTableChanged_NamesTheTableFromTheMapping()
    {
        var (catalog, composition, options) = Compose.Configure(_scratch, CompressionConfig("s2_fast"));
        using (catalog)
        {
            await using (composition)
            {
                await using var server = new NatsServer(options, NullLoggerFactory.Instance, composition.Seams);
                await using var reload = composition.PrepareReload(Load(CompressionConfig("s2_best")), catalog);

                Assert.Equal(["cluster.compression"], reload.ChangedTables);
                Assert.Equal([new FixedSeam(nameof(ServerSeams.Compression))], server.SeamsThatCannotReload(reload.Seams));
                Assert.Equal("[cluster.compression] cannot change without a restart", reload.WhyServerCannotTake(server));
            }
        }
    }

    [Fact]
    public void ForServerSeam_EveryTableKind_IsFoundByTheSeamItFills()
    {
        foreach (var kind in PluginTableKind.All)
        {
            Assert.NotNull(typeof(ServerSeams).GetProperty(kind.ServerSeam));
            Assert.Same(kind, PluginTableKind.ForServerSeam(kind.ServerSeam));
        }

        Assert.Null(PluginTableKind.ForServerSeam(nameof(ServerSeams.Transport)));
    }

    private ModularOptions Load(string toml) => ConfigLoader.Load(_scratch.Write("modular.toml", toml));

    private static string RouteAuthConfig(string routes) => $"""
        plugins = ["bcrypt"]

        [cluster]
        listen = "127.0.0.1:0"
        routes = [
          {routes},
        ]

        [cluster.auth]
        use = "bcrypt"
        user = "ruser"
        password = "{RouteHash}"
        """;

    private static string CompressionConfig(string mode) => $"""
        plugins = ["s2"]

        [cluster]
        listen = "127.0.0.1:0"

        [cluster.compression]
        use = "s2"
        mode = "{mode}"
        """;
}
