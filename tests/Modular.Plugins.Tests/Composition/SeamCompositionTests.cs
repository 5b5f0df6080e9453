using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Plugins;
using Modular.Core.Server;
using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Composition;

/// <summary>Each plugin table puts its plugin's implementation into exactly its seam; without the table the seam keeps the built-in default.</summary>
public sealed class SeamCompositionTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    public static TheoryData<string, string> Tables => new()
    {
        { "server.auth", nameof(ServerSeams.ClientAuthenticator) },
        { "cluster.tls", nameof(ServerSeams.RouteConnectionWrapper) },
        { "cluster.auth", nameof(ServerSeams.RouteAuthenticator) },
        { "cluster.compression", nameof(ServerSeams.Compression) },
        { "cluster.discovery", nameof(ServerSeams.Discovery) },
        { "cluster.pinning", nameof(ServerSeams.Pooling) },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task Configure_WithPluginTable_FillsOnlyThatSeamFromThePlugin(string table, string seam)
    {
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]

            [cluster]
            listen = "127.0.0.1:0"

            [{table}]
            use = "probe"
            """;

        var (catalog, composition, _) = Compose.Configure(_scratch, toml);
        using (catalog)
        {
            await using (composition)
            {
                foreach (var property in typeof(ServerSeams).GetProperties())
                {
                    var value = property.GetValue(composition.Seams);
                    if (property.Name == seam)
                    {
                        Assert.NotNull(value);
                        Assert.Equal("Modular.TestPlugins.Probe.ProbePlugin", value.GetType().FullName);
                        Assert.NotSame(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(value.GetType().Assembly));
                    }
                    else if (!(table == "cluster.auth" && property.Name == nameof(ServerSeams.RouteCredentials)))
                    {
                        Assert.Null(value);
                    }
                }

                var instance = Assert.Single(composition.Instances);
                Assert.Equal(table, instance.Kind.TableName);
            }
        }
    }

    [Fact]
    public async Task Configure_WithoutPluginTables_LeavesEverySeamToTheDefaults()
    {
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]

            [cluster]
            listen = "127.0.0.1:0"
            """;

        var (catalog, composition, options) = Compose.Configure(_scratch, toml);
        using (catalog)
        {
            await using (composition)
            {
                Assert.All(typeof(ServerSeams).GetProperties(), property => Assert.Null(property.GetValue(composition.Seams)));
                Assert.Empty(composition.Instances);
                Assert.Contains(options.Warnings, w => w.Message == "plugin \"probe\" is loaded but no table uses it");
            }
        }
    }

    [Fact]
    public async Task Configure_OnePluginForTwoTables_MakesOneInstancePerTable()
    {
        _scratch.Write("users.txt", "alice wonderland\n");
        _scratch.Write("routes.txt", "route secret\n");
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.CustomAuth)}]

            [server.auth]
            use = "users-file"
            users_file = "users.txt"

            [cluster]
            listen = "127.0.0.1:0"

            [cluster.auth]
            use = "users-file"
            users_file = "routes.txt"
            user = "route"
            password = "secret"
            """;

        var (catalog, composition, _) = Compose.Configure(_scratch, toml);
        using (catalog)
        {
            await using (composition)
            {
                Assert.NotSame(composition.Seams.ClientAuthenticator, composition.Seams.RouteAuthenticator);
                Assert.Same(composition.Seams.RouteAuthenticator, composition.Seams.RouteCredentials);
                Assert.Equal(["server.auth", "cluster.auth"], composition.Instances.Select(i => i.Kind.TableName));
            }
        }
    }

    [Fact]
    public async Task PluginLogger_IsTheHostsLoggingAbstractions_AndWritesThroughHostSerilog()
    {
        var sink = new CollectingSink();
        using var loggerFactory = CollectingSink.LoggerFactory(sink);
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]

            [server.auth]
            use = "probe"
            tag = "identity"
            """;

        var (catalog, composition, _) = Compose.Configure(_scratch, toml, loggerFactory);
        using (catalog)
        {
            await using (composition)
            {
                // The plugin's load context hands out the host's copies of the shared assemblies.
                var pluginContext = AssemblyLoadContext.GetLoadContext(composition.Instances[0].Plugin.GetType().Assembly)!;
                Assert.NotSame(AssemblyLoadContext.Default, pluginContext);
                Assert.Same(typeof(ILogger).Assembly, pluginContext.LoadFromAssemblyName(new AssemblyName("Microsoft.Extensions.Logging.Abstractions")));
                Assert.Same(typeof(IModularPlugin).Assembly, pluginContext.LoadFromAssemblyName(new AssemblyName("Modular.Abstractions")));

                var configured = Assert.Single(sink.Events, e => e.MessageTemplate.Text == "probe: configured [{Table}] {Tag}");
                Assert.Equal("Modular.Plugins.probe", configured.Properties["SourceContext"].ToString().Trim('"'));
                Assert.Equal("identity", configured.Properties["Tag"].ToString().Trim('"'));
            }
        }
    }
}
