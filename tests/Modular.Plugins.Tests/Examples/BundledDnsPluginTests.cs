using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Examples;

/// <summary>The bundled "dns" plugin, resolved by its bare name from the host's plugins/ folder.</summary>
public sealed class BundledDnsPluginTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Build_BundledPlugin_IsInItsOwnFolderWithoutTheSharedAssemblies()
    {
        var folder = Path.Combine(PluginFolders.Bundled, "dns");

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
        var (catalog, composition, _) = Compose.Configure(_scratch, toml);
        using (catalog)
        {
            await using (composition)
            {
                Assert.True(Assert.Single(catalog.Plugins).IsBundled);
                await composition.StartAsync();

                Assert.Contains("nats-route://127.0.0.1:7101/", composition.Seams.Discovery!.InitialRoutes.Select(u => u.ToString()));
            }
        }
    }
}
