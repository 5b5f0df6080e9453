using System.Text;
using System.Text.Json;

namespace Modular.Testing.Secure;

/// <summary>
/// A modular or nats-server process run from a config text the test wrote (for configs the
/// generated <see cref="ConfigBuilder"/> files do not cover: plugins, TLS, route authorization): a
/// process-backed <see cref="Node"/> whose config is written to the test's folder as NAME.toml
/// (or .conf). It can be reloaded (config rewritten, SIGHUP) and restarted; Dispose kills it.
/// </summary>
public sealed class ConfiguredNode : IAsyncDisposable, IMonitoredNode
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Node _node;

    private ConfiguredNode(NodePorts ports, Node node)
    {
        Ports = ports;
        _node = node;
    }

    public NodeProgram Program => _node.Program;

    public string Name => _node.Name;

    public NodePorts Ports { get; }

    public string ConfigPath => _node.ConfigPath;

    /// <summary>The config the process runs on; <see cref="ReloadAsync"/> replaces it.</summary>
    public string ConfigText => _node.ConfigText;

    public string ClientUrl => $"nats://127.0.0.1:{Ports.Client}";

    public string MonitorUrl => $"http://127.0.0.1:{Ports.Monitor}";

    public bool IsRunning => _node.IsRunning;

    public IReadOnlyList<string> OutputLines => _node.OutputLines;

    public static Task<ConfiguredNode> StartAsync(ConfigBuilder spec, NodeProgram program, string directory, CancellationToken cancellationToken = default)
    {
        var ports = spec.Ports ?? throw new ArgumentException("a configured node names its ports", nameof(spec));
        return StartAsync(program, spec.Name, ports, spec.Render(program.Flavor), directory, cancellationToken);
    }

    /// <summary>
    /// Writes the config into <paramref name="directory"/> and starts the program; returns once it
    /// serves (it wrote its ports file: every listener is bound, whether or not clients get INFO first).
    /// </summary>
    public static async Task<ConfiguredNode> StartAsync(NodeProgram program, string name, NodePorts ports, string configText, string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var node = await Node.StartAsync(name, configText, NodeBackend.Process, program, directory: directory, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new ConfiguredNode(ports, node);
    }

    /// <summary>
    /// Rewrites the config file with <paramref name="configText"/> and sends SIGHUP (the config reload of
    /// modular and nats-server); returns once the file is written and the signal sent.
    /// </summary>
    public Task ReloadAsync(string configText, CancellationToken cancellationToken = default) => _node.ReloadAsync(configText, cancellationToken);

    /// <summary>SIGKILL (no goodbye on any connection), then the same config and ports again; returns once it serves.</summary>
    public Task RestartAsync(CancellationToken cancellationToken = default) => _node.RestartAsync(cancellationToken);

    public bool OutputContains(string text) => _node.OutputContains(text);

    public string Describe(int lines = 40) => _node.Describe(lines);

    public async Task<string> ServerIdAsync(CancellationToken cancellationToken = default)
    {
        using var varz = await GetJsonAsync("/varz", cancellationToken).ConfigureAwait(false);
        return varz.RootElement.GetProperty("server_id").GetString() ?? "";
    }

    /// <summary>The distinct remote_id values of /routez.</summary>
    public async Task<IReadOnlySet<string>> RemoteIdsAsync(CancellationToken cancellationToken = default)
    {
        using var routez = await GetJsonAsync("/routez", cancellationToken).ConfigureAwait(false);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (routez.RootElement.TryGetProperty("routes", out var routes) && routes.ValueKind == JsonValueKind.Array)
        {
            foreach (var route in routes.EnumerateArray())
            {
                if (route.TryGetProperty("remote_id", out var id) && id.GetString() is { Length: > 0 } value)
                {
                    ids.Add(value);
                }
            }
        }

        return ids;
    }

    public async Task<JsonDocument> GetJsonAsync(string pathAndQuery, CancellationToken cancellationToken = default)
    {
        var body = await Http.GetStringAsync(MonitorUrl + pathAndQuery, cancellationToken).ConfigureAwait(false);
        return JsonDocument.Parse(body);
    }

    /// <summary>Polls until every node routes to exactly all the others.</summary>
    public static async Task WaitMeshAsync(IReadOnlyList<ConfiguredNode> nodes, TimeSpan timeout)
    {
        var ids = new Dictionary<ConfiguredNode, string>();
        foreach (var node in nodes)
        {
            ids[node] = await node.ServerIdAsync().ConfigureAwait(false);
        }

        try
        {
            await Wait.Until(
                async () =>
                {
                    foreach (var node in nodes)
                    {
                        var expected = ids.Where(p => p.Key != node).Select(p => p.Value).ToHashSet(StringComparer.Ordinal);
                        if (!(await node.RemoteIdsAsync().ConfigureAwait(false)).SetEquals(expected))
                        {
                            return false;
                        }
                    }

                    return true;
                },
                timeout,
                "the TLS cluster mesh").ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + string.Join("\n", nodes.Select(n => n.Describe())), ex);
        }
    }

    public ValueTask DisposeAsync() => _node.DisposeAsync();
}
