using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Cluster;

/// <summary>A cluster whose discovery is swapped to examples/FileDiscovery with one `use` line.</summary>
public sealed class FileDiscoveryClusterTests : IAsyncLifetime
{
    private readonly Scratch _scratch = new();
    private readonly List<ServerProcess> _servers = new();

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
        var nodes = Enumerable.Range(1, 4).Select(i => (Name: $"n{i}", Client: FreePort.Next(), Monitor: FreePort.Next(), Cluster: FreePort.Next())).ToArray();
        var peers = _scratch.Write("peers.txt", string.Concat(nodes.Take(3).Select(n => $"127.0.0.1:{n.Cluster}\n")));
        _scratch.Write("alone.txt", "");
        foreach (var (node, index) in nodes.Select((n, i) => (n, i)))
        {
            var config = _scratch.Write($"{node.Name}.toml", $"""
                plugins = [{PluginFolders.Toml(PluginFolders.FileDiscovery)}]

                [server]
                name = "{node.Name}"
                listen = "127.0.0.1:{node.Client}"

                [monitor]
                listen = "127.0.0.1:{node.Monitor}"

                [cluster]
                name = "files"
                listen = "127.0.0.1:{node.Cluster}"
                pool_size = -1

                [cluster.discovery]
                use = "file-discovery"
                peers_file = "{(index < 3 ? "peers.txt" : "alone.txt")}"
                poll_interval = "250ms"
                """);
            if (index < 3)
            {
                _servers.Add(await ServerProcess.StartAsync(config, node.Client, node.Monitor));
            }
        }

        var ids = new List<string>();
        foreach (var server in _servers)
        {
            ids.Add(await server.ServerIdAsync());
        }

        await WaitForMeshAsync(ids);

        // A fourth server that knows nobody: only the others' watched file can bring it in.
        var fourth = await ServerProcess.StartAsync(Path.Combine(_scratch.Folder, "n4.toml"), nodes[3].Client, nodes[3].Monitor);
        _servers.Add(fourth);
        ids.Add(await fourth.ServerIdAsync());
        Assert.Empty(await fourth.RouteRemoteIdsAsync());

        File.AppendAllText(peers, $"127.0.0.1:{nodes[3].Cluster}\n");

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
                await Wait.Until(async () => (await server.RouteRemoteIdsAsync()).SetEquals(expected), TimeSpan.FromSeconds(20), $"n{i + 1} to route to all {ids.Count - 1} others");
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException(ex.Message + "\n" + server.Describe());
            }
        }
    }
}
