using Modular.Core.Config;
using Modular.Core.Plugins;

namespace Modular.Plugins.Dns.Tests;

/// <summary>The bundled "dns" plugin, resolved by its bare name from the host's plugins/ folder.</summary>
public sealed class DnsDiscoveryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modular-dns-").FullName;

    private static string BundledPlugins => Path.Combine(Path.GetDirectoryName(HostLocator.FindHostDll())!, "plugins");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Build_BundledPlugin_IsInItsOwnFolderWithoutTheSharedAssemblies()
    {
        var folder = Path.Combine(BundledPlugins, "dns");

        Assert.True(File.Exists(Path.Combine(folder, "Modular.Plugins.Dns.dll")), $"missing {folder}/Modular.Plugins.Dns.dll");
        Assert.False(File.Exists(Path.Combine(folder, "Modular.Abstractions.dll")), "the contract must come from the host");
        Assert.False(File.Exists(Path.Combine(folder, "Microsoft.Extensions.Logging.Abstractions.dll")), "logging abstractions must come from the host");
    }

    [Fact]
    public async Task Discovery_DnsName_ResolvesToRoutesOnThePort()
    {
        var toml = """
            plugins = ["dns"]

            [cluster]
            listen = "127.0.0.1:0"

            [cluster.discovery]
            use = "dns"
            name = "localhost"
            port = 7101
            interval = "1s"
            """;
        var path = Path.Combine(_folder, "modular.toml");
        File.WriteAllText(path, toml);
        var options = ConfigLoader.Load(path);
        using (var catalog = PluginCatalog.Load(options, BundledPlugins))
        {
            await using (var composition = PluginComposition.Configure(options, catalog))
            {
                Assert.True(Assert.Single(catalog.Plugins).IsBundled);
                await composition.StartAsync();

                Assert.Contains("nats-route://127.0.0.1:7101/", composition.Seams.Discovery!.InitialRoutes.Select(u => u.ToString()));
            }
        }
    }
}
