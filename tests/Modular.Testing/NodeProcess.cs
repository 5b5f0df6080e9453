namespace Modular.Testing;

/// <summary>
/// One cluster node of a <see cref="ConfigBuilder"/>: a process-backed <see cref="Node"/> (modular or a
/// nats-server peer) on the spec's ports, with its config rendered from the spec. It can be killed
/// (SIGKILL) and started again on the same ports and config, and reloaded with a changed spec.
/// Output of every run is kept for assertion messages. Dispose kills it and removes its folder.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable, IMonitoredNode
{
    private readonly Node _node;

    private NodeProcess(ConfigBuilder spec, Node node)
    {
        Spec = spec;
        _node = node;
    }

    public NodeProgram Program => _node.Program;

    /// <summary>What the node runs; <see cref="ReloadAsync"/> replaces it.</summary>
    public ConfigBuilder Spec { get; private set; }

    public string Name => Spec.Name;

    public string ConfigPath => _node.ConfigPath;

    public string ConfigText => _node.ConfigText;

    public int ClientPort => _node.ClientPort;

    public int MonitorPort => _node.MonitorPort ?? throw new InvalidOperationException($"{Name} has no monitoring listener");

    public int ClusterPort => _node.ClusterPort ?? throw new InvalidOperationException($"{Name} has no cluster listener");

    public string ClientUrl => $"nats://127.0.0.1:{ClientPort}";

    public string MonitorUrl => $"http://127.0.0.1:{MonitorPort}";

    public bool IsRunning => _node.IsRunning;

    /// <summary>Every output line of every run so far (stderr lines start with "err| ").</summary>
    public IReadOnlyList<string> OutputLines => _node.OutputLines;

    /// <summary>Writes the config and starts the node; returns once it serves clients and monitoring.</summary>
    public static async Task<NodeProcess> StartAsync(NodeProgram program, ConfigBuilder spec, CancellationToken cancellationToken = default)
    {
        var node = await Node.StartAsync(spec.Name, Render(program, spec), NodeBackend.Process, program, spec.StartTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new NodeProcess(spec, node);
    }

    /// <summary>SIGKILL: no goodbye on any connection. Waits for the process to be gone.</summary>
    public Task KillAsync() => _node.KillAsync();

    /// <summary>Sends a POSIX signal by number (Linux: 12 = SIGUSR2, lame duck mode for both programs; 15 = SIGTERM).</summary>
    public void Signal(int signal) => _node.Signal(signal);

    /// <summary>Waits for the process to end by itself (after a signal); returns its exit code.</summary>
    public Task<int> WaitExitAsync(TimeSpan timeout) => _node.WaitExitAsync(timeout);

    /// <summary>Starts the node again with the same config and ports (after <see cref="KillAsync"/>).</summary>
    public Task RestartAsync(CancellationToken cancellationToken = default) => _node.RestartAsync(cancellationToken);

    /// <summary>
    /// Rewrites the config file for <paramref name="next"/> (same name and ports) and sends SIGHUP, the
    /// config reload of both modular and nats-server; returns once the file is written and the signal sent.
    /// </summary>
    public async Task ReloadAsync(ConfigBuilder next, CancellationToken cancellationToken = default)
    {
        if (next.Name != Spec.Name || next.Ports != Spec.Ports)
        {
            throw new ArgumentException("a reload keeps the node's name and ports", nameof(next));
        }

        await _node.ReloadAsync(Render(Program, next), cancellationToken).ConfigureAwait(false);
        Spec = next;
    }

    /// <summary>The config and the last output lines, for assertion messages.</summary>
    public string Describe(int lines = 60) => _node.Describe(lines);

    /// <summary>True if any output line so far contains <paramref name="text"/> (case-insensitive).</summary>
    public bool OutputContains(string text) => _node.OutputContains(text);

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    private static string Render(NodeProgram program, ConfigBuilder spec) =>
        spec.Render(program.Flavor);
}
