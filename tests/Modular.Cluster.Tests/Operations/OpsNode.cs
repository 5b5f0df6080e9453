namespace Modular.Cluster.Tests.Operations;

/// <summary>
/// A <c>modular run -c FILE</c> node for the operations tests: the cluster harness's TOML for its
/// <see cref="ConfigBuilder"/> plus extra <c>[server]</c> lines (lame duck timings, a log file), planned
/// first (so the test knows every node's folder and ports) and then run as a process-backed
/// <see cref="Node"/>, stopped by the test with real signals (SIGUSR2, SIGTERM), and started again
/// on the same ports.
/// </summary>
public sealed class OpsNode : IAsyncDisposable, IMonitoredNode
{
    private Node? _node;

    private OpsNode(ConfigBuilder spec, string directory, string configText)
    {
        Spec = spec;
        Directory = directory;
        ConfigText = configText;
    }

    public ConfigBuilder Spec { get; }

    public string Name => Spec.Name;

    public string ConfigText { get; }

    /// <summary>The node's folder: its config and whatever it writes beside it (a log file).</summary>
    public string Directory { get; }

    public string ConfigPath => Path.Combine(Directory, Name + ".toml");

    public int ClientPort => (Spec.Ports ?? throw new InvalidOperationException($"{Name} has no planned ports")).Client;

    public string ClientUrl => $"nats://127.0.0.1:{ClientPort}";

    public string MonitorUrl => $"http://127.0.0.1:{Spec.Ports!.Monitor}";

    public int ProcessId => Started.ProcessId;

    public bool IsRunning => _node is { IsRunning: true };

    public IReadOnlyList<string> OutputLines => _node?.OutputLines ?? [];

    private Node Started => _node ?? throw new InvalidOperationException($"{Name} was never started");

    /// <summary>The nodes of a cluster spec, with <paramref name="serverLines"/> added to each node's <c>[server]</c> table; not started.</summary>
    public static IReadOnlyList<OpsNode> Plan(ClusterSpec spec, params string[] serverLines) => Plan(spec, serverLines, null);

    /// <summary>As <see cref="Plan(ClusterSpec, string[])"/>, with <paramref name="logLines"/> (given the node's folder) added to <c>[log]</c>.</summary>
    public static IReadOnlyList<OpsNode> Plan(ClusterSpec spec, string[] serverLines, Func<string, string[]>? logLines)
    {
        return TestCluster.PlanNodes(spec).Select(node =>
        {
            var directory = System.IO.Directory.CreateTempSubdirectory($"modular-ops-{node.Name}-").FullName;
            var toml = (node with
            {
                ExtraServerConfig = string.Join('\n', serverLines.Prepend(node.ExtraServerConfig ?? "")),
                ExtraLogConfig = logLines is null ? null : string.Join('\n', logLines(directory)),
            }).ToModularToml();
            return new OpsNode(node, directory, toml);
        }).ToList();
    }

    /// <summary>Starts (or starts again, on the same ports) and waits until it serves.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_node is { } node)
        {
            await node.RestartAsync(cancellationToken);
            return;
        }

        _node = await Node.StartAsync(Name, ConfigText, NodeBackend.Process, NodeProgram.Modular, directory: Directory, cancellationToken: cancellationToken);
    }

    /// <summary>Sends a signal by number (12 = SIGUSR2, 15 = SIGTERM, 2 = SIGINT).</summary>
    public void Signal(int signal) => Started.Signal(signal);

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public Task<int> WaitExitAsync(TimeSpan timeout) => Started.WaitExitAsync(timeout);

    public bool OutputContains(string text) => _node?.OutputContains(text) ?? false;

    public string Describe(int lines = 40) => _node?.Describe(lines) ?? $"--- {Name} (never started) config:\n{ConfigText}";

    public async ValueTask DisposeAsync()
    {
        if (_node is { } node)
        {
            await node.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
