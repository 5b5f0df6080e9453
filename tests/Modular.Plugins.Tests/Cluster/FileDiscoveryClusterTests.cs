using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Cluster;

/// <summary>A cluster whose discovery is swapped to examples/FileDiscovery with one `use` line.</summary>
public sealed class FileDiscoveryClusterTests : IAsyncLifetime
{
    private readonly Scratch _scratch = new();
    private readonly List<Node> _servers = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _scratch.Dispose();
    }

    [Fact]
    public async Task FileDiscovery_ThreeServers_FormFullMesh_AndAPeerAddedToTheFileIsDialedWhileRunning()
    {
        // Every node listens on port 0: the peers file names them once they run (the plugin polls it).
        var peers = _scratch.Write("peers.txt", "");
        _scratch.Write("alone.txt", "");
        for (var i = 1; i <= 4; i++)
        {
            var server = await Node.StartAsync($"n{i}", $"""
                plugins = [{PluginFolders.Toml(PluginFolders.FileDiscovery)}]

                [server]
                name = "n{i}"
                listen = "127.0.0.1:0"

                [monitor]
                listen = "127.0.0.1:0"

                [cluster]
                name = "files"
                listen = "127.0.0.1:0"
                pool_size = -1

                [cluster.discovery]
                use = "file-discovery"
                peers_file = "{(i < 4 ? "peers.txt" : "alone.txt")}"
                poll_interval = "250ms"
                """, directory: _scratch.Folder);
            _servers.Add(server);
        }

        var ids = new List<string>();
        foreach (var server in _servers)
        {
            ids.Add(await MonitorEndpoints.ServerIdAsync(server));
        }

        File.WriteAllText(peers, string.Concat(_servers.Take(3).Select(n => $"127.0.0.1:{n.ClusterPort}\n")));
        await WaitForMeshAsync(ids.Take(3).ToList());

        // The fourth server knows nobody: only the others' watched file can bring it in.
        Assert.Empty((await MonitorEndpoints.RoutezAsync(_servers[3])).RemoteIds);

        File.AppendAllText(peers, $"127.0.0.1:{_servers[3].ClusterPort}\n");

        await WaitForMeshAsync(ids);
    }

    /// <summary>Every server has a route to every other one.</summary>
    private async Task WaitForMeshAsync(IReadOnlyList<string> ids)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            var server = _servers[i];
            var expected = ids.Where((_, j) => j != i).ToHashSet();
            try
            {
                await Wait.Until(async () => (await MonitorEndpoints.RoutezAsync(server)).RemoteIds.SetEquals(expected), TimeSpan.FromSeconds(20), $"n{i + 1} to route to all {ids.Count - 1} others");
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException(ex.Message + "\n" + server.Describe());
            }
        }
    }
}
