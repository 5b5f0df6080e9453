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
        var client = FreePort.Next();
        var cluster = FreePort.Next();
        var config = _scratch.Write("modular.toml", $"""
            plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]

            [server]
            listen = "127.0.0.1:{client}"

            [server.auth]
            use = "probe"

            [cluster]
            listen = "127.0.0.1:{cluster}"

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
            """);

        await using var server = await ServerProcess.StartAsync(config, client);

        foreach (var table in new[] { "server.auth", "cluster.tls", "cluster.auth", "cluster.compression", "cluster.discovery", "cluster.pinning" })
        {
            // The host's text template: "[HH:mm:ss.fff INF] message" — written by Serilog, not by the plugin.
            Assert.Contains(server.Output, line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"^\[\d\d:\d\d:\d\d\.\d{{3}} INF\] probe: started \[{table.Replace(".", @"\.", StringComparison.Ordinal)}\]"));
        }
    }

    [Fact]
    public async Task Run_WithoutPlugins_ServesClients()
    {
        var client = FreePort.Next();
        var config = _scratch.Write("modular.toml", $"""
            [server]
            listen = "127.0.0.1:{client}"
            """);

        await using var server = await ServerProcess.StartAsync(config, client);

        Assert.DoesNotContain(server.Output, line => line.Contains("Plugin", StringComparison.Ordinal));
    }
}
