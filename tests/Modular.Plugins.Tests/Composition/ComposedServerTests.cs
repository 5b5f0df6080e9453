using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Composition;

/// <summary>`modular run` composed from TOML, with and without plugins in every seam.</summary>
public sealed class ComposedServerTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Run_WithProbeInEverySeam_ServesClientsAndLogsThroughHostSerilog()
    {
        var config = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]

            [server]
            listen = "127.0.0.1:0"

            [server.auth]
            use = "probe"

            [cluster]
            listen = "127.0.0.1:0"

            [cluster.tls]
            use = "probe"

            [cluster.auth]
            use = "probe"

            [cluster.compression]
            use = "probe"

            [cluster.discovery]
            use = "probe"

            [cluster.pinning]
            use = "probe"
            dedicated = ["ORDERS"]
            """;

        // The host's log format is the point: a process.
        await using var server = await Node.StartAsync("modular", config, NodeBackend.Process, directory: _scratch.Folder);

        foreach (var table in new[] { "server.auth", "cluster.tls", "cluster.auth", "cluster.compression", "cluster.discovery", "cluster.pinning" })
        {
            // The host's text template: "[HH:mm:ss.fff INF] message" — written by Serilog, not by the plugin.
            Assert.Contains(server.OutputLines, line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"^\[\d\d:\d\d:\d\d\.\d{{3}} INF\] probe: started \[{table.Replace(".", @"\.", StringComparison.Ordinal)}\]"));
        }
    }

    [Fact]
    public async Task Run_WithoutPlugins_ServesClients()
    {
        var config = """
            [server]
            listen = "127.0.0.1:0"
            """;

        await using var server = await Node.StartAsync("modular", config, NodeBackend.Process, directory: _scratch.Folder);

        Assert.DoesNotContain(server.OutputLines, line => line.Contains("Plugin", StringComparison.Ordinal));
    }
}
