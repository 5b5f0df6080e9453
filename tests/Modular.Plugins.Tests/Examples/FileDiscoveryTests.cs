using Modular.Abstractions.Discovery;
using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Examples;

/// <summary>examples/FileDiscovery ("file-discovery"), loaded through the real loader from its built folder.</summary>
public sealed class FileDiscoveryTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Discovery_PeersFile_GivesInitialRoutesAndDialsALineAddedWhileRunning()
    {
        var peers = _scratch.Write("peers/peers.txt", "# peers\n127.0.0.1:7001\nnats-route://127.0.0.1:7002\n");
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.FileDiscovery)}]

            [cluster]
            listen = "127.0.0.1:0"
            routes = ["nats-route://127.0.0.1:7000"]

            [cluster.discovery]
            use = "file-discovery"
            peers_file = "peers/peers.txt"
            poll_interval = "200ms"
            """;
        var (catalog, composition, _) = Compose.Configure(_scratch, toml);
        using (catalog)
        {
            await using (composition)
            {
                var discovery = composition.Seams.Discovery!;
                Assert.Equal(
                    ["nats-route://127.0.0.1:7000/", "nats-route://127.0.0.1:7001/", "nats-route://127.0.0.1:7002/"],
                    discovery.InitialRoutes.Select(u => u.ToString()));

                await composition.StartAsync();
                var dialer = new RecordingDialer();
                discovery.Attach(dialer);
                File.AppendAllText(peers, "127.0.0.1:7003\n");

                await Wait.Until(() => dialer.Dialed.Count > 0, TimeSpan.FromSeconds(10), "the added peer to be dialed");
                Assert.Equal(("nats-route://127.0.0.1:7003/", true), Assert.Single(dialer.Dialed));
            }
        }
    }

    [Fact]
    public void Configure_MissingPeersFile_SaysToCreateIt()
    {
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.FileDiscovery)}]

            [cluster]
            listen = "127.0.0.1:0"

            [cluster.discovery]
            use = "file-discovery"
            peers_file = "missing.txt"
            """;

        var error = Assert.Single(Compose.Errors(_scratch, toml));

        Assert.EndsWith($"modular.toml:8: cluster.discovery.peers_file: no such file: {Path.Combine(_scratch.Folder, "missing.txt")} (create it, even empty, before starting)", error, StringComparison.Ordinal);
    }

    private sealed class RecordingDialer : IRouteDialer
    {
        private readonly List<(string, bool)> _dialed = new();

        public IReadOnlyList<(string Url, bool IsExplicit)> Dialed
        {
            get
            {
                lock (_dialed)
                {
                    return _dialed.ToArray();
                }
            }
        }

        public IReadOnlyCollection<string> ConnectedServerIds => Array.Empty<string>();

        public void Dial(Uri url, bool isExplicit)
        {
            lock (_dialed)
            {
                _dialed.Add((url.ToString(), isExplicit));
            }
        }
    }
}
