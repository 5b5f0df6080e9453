using System.Text;
using Modular.Core.Server;

namespace Modular.Testing;

/// <summary>
/// One server under test, whatever runs it (see <see cref="NodeBackend"/>): its config written to a
/// scratch folder, every listener bound to port 0 by the config and read back once started (from
/// the listeners in-process, from the ports file of a process). A restart pins the ports the first
/// run reported, so peers that dial it find it again. Dispose stops it and removes the folder.
/// </summary>
public sealed class Node : IAsyncDisposable, IMonitoredNode
{
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(30);

    private readonly INodeRunner _runner;
    private Func<BoundPorts?, string> _config;
    private ConfigBuilder? _builder;
    private readonly bool _ownsDirectory;
    private BoundPorts? _ports;
    private BoundPorts? _renderedWith;
    private int _disposed;

    private Node(string name, NodeBackend backend, NodeProgram program, Func<BoundPorts?, string> config, string directory, bool ownsDirectory, INodeRunner runner, OutputLog output, string host)
    {
        Output = output;
        Host = host;
        _ownsDirectory = ownsDirectory;
        Name = name;
        Backend = backend;
        Program = program;
        _config = config;
        Directory = directory;
        _runner = runner;
        ConfigPath = Path.Combine(directory, name + (program.Flavor == NodeFlavor.Modular ? ".toml" : ".conf"));
    }

    public string Name { get; }

    /// <summary>The address the node's listeners bind (127.0.0.1 unless its config says otherwise).</summary>
    public string Host { get; }

    public NodeBackend Backend { get; }

    public NodeProgram Program { get; }

    /// <summary>The node's scratch folder: its config, its ports file, anything the test puts beside them.</summary>
    public string Directory { get; }

    public string ConfigPath { get; }

    /// <summary>The builder the node was started (or last reloaded) from, to derive a reload or a variant; throws for a node run on a config text.</summary>
    public ConfigBuilder Config => _builder ?? throw new InvalidOperationException($"{Name} runs on a config text, not a ConfigBuilder");

    /// <summary>The config the server runs on (a reload replaces it).</summary>
    public string ConfigText { get; private set; } = "";

    public OutputLog Output { get; }

    /// <summary>Every output line so far: the host's stdout and stderr ("err| "), or the embedded server's log.</summary>
    public IReadOnlyList<string> OutputLines => Output.Lines;

    public BoundPorts Ports => _ports ?? throw new InvalidOperationException($"{Name} has not started");

    public int ClientPort => Ports.Client;

    public int? MonitorPort => Ports.Monitor;

    public int? ClusterPort => Ports.Cluster;

    public string ClientUrl => $"nats://{Host}:{ClientPort}";

    /// <summary>http://HOST:PORT, or throws when the config has no monitoring listener.</summary>
    public string MonitorUrl => MonitorPort is { } port
        ? $"http://{Host}:{port}"
        : throw new InvalidOperationException($"{Name} was started without monitoring");

    /// <summary><c>nats-route://HOST:PORT</c>, for a peer's <c>routes</c>; throws without a cluster listener.</summary>
    public string RouteUrl => ClusterPort is { } port
        ? $"nats-route://{Host}:{port}"
        : throw new InvalidOperationException($"{Name} was started without a cluster listener");

    public bool IsRunning => _runner.IsRunning;

    /// <summary>The embedded server of an in-process node (null for a process).</summary>
    public NatsServer? Embedded => (_runner as InProcessRunner)?.Server;

    /// <summary>The host process's id (a process node only).</summary>
    public int ProcessId => ProcessRunner.Process.Id;

    private ProcessRunner ProcessRunner => _runner as ProcessRunner
        ?? throw new NotSupportedException($"{Name} runs in-process; signals, exits and reloads need NodeBackend.Process");

    /// <summary>Starts a node on a fixed config text (its listeners on port 0, or on ports the test chose).</summary>
    public static Task<Node> StartAsync(string name, string configText, NodeBackend backend = NodeBackend.InProcess, NodeProgram? program = null, TimeSpan? startTimeout = null, string? directory = null, CancellationToken cancellationToken = default) =>
        StartAsync(name, _ => configText, backend, program, startTimeout, directory, cancellationToken);

    /// <summary>
    /// Starts a node on <paramref name="config"/> (named by it), rendered for the program that runs it:
    /// modular on <paramref name="backend"/>, a reference server always as a process.
    /// </summary>
    public static async Task<Node> StartAsync(ConfigBuilder config, NodeBackend backend = NodeBackend.InProcess, NodeProgram? program = null, string? directory = null, CancellationToken cancellationToken = default)
    {
        program ??= NodeProgram.Modular;
        var flavor = program.Flavor;
        backend = flavor == NodeFlavor.Modular ? backend : NodeBackend.Process;
        if (backend == NodeBackend.InProcess && config.LaunchPrefix.Count > 0)
        {
            throw new ArgumentException($"{config.Name}: a launch prefix ({string.Join(' ', config.LaunchPrefix)}) needs NodeBackend.Process", nameof(backend));
        }

        var node = await StartCoreAsync(config.Name, pinned => config.Render(flavor, pinned), backend, program, config.StartTimeout, directory, config.ListenHost, config.LaunchPrefix, cancellationToken).ConfigureAwait(false);
        node._builder = config;
        return node;
    }

    /// <summary>
    /// Starts a node whose config is rendered for the ports to pin: null at the first start (listen on
    /// port 0), the ports of the first run at a restart. The config is written to
    /// <paramref name="directory"/> as NAME.toml (the test's folder, for files the config names
    /// relative to itself), else to a scratch folder of the node's own.
    /// </summary>
    public static Task<Node> StartAsync(string name, Func<BoundPorts?, string> config, NodeBackend backend = NodeBackend.InProcess, NodeProgram? program = null, TimeSpan? startTimeout = null, string? directory = null, CancellationToken cancellationToken = default) =>
        StartCoreAsync(name, config, backend, program, startTimeout, directory, "127.0.0.1", [], cancellationToken);

    private static async Task<Node> StartCoreAsync(string name, Func<BoundPorts?, string> config, NodeBackend backend, NodeProgram? program, TimeSpan? startTimeout, string? directory, string host, IReadOnlyList<string> launchPrefix, CancellationToken cancellationToken)
    {
        program ??= NodeProgram.Modular;
        if (backend == NodeBackend.InProcess && program.Flavor != NodeFlavor.Modular)
        {
            throw new ArgumentException("only modular runs in-process", nameof(program));
        }

        var ownsDirectory = directory is null;
        directory ??= System.IO.Directory.CreateTempSubdirectory($"modular-node-{name}-").FullName;
        var output = new OutputLog();
        INodeRunner runner = backend == NodeBackend.InProcess
            ? new InProcessRunner(output)
            : new ProcessRunner(program, directory, output, startTimeout ?? DefaultStartTimeout, launchPrefix);
        var node = new Node(name, backend, program, config, directory, ownsDirectory, runner, output, host);
        try
        {
            await node.RunAsync(cancellationToken).ConfigureAwait(false);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the server abruptly: SIGKILL for a process (no goodbye on any connection), dispose in-process.</summary>
    public Task KillAsync() => _runner.KillAsync();

    /// <summary>Kills the server if it runs and starts it again on the ports its first run reported.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await _runner.KillAsync().ConfigureAwait(false);
        await RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a POSIX signal (see <see cref="Signals"/>) to the host process.</summary>
    public void Signal(int signal) => Signals.Send(ProcessId, signal);

    /// <summary>Waits for the process to end by itself (after a signal); returns its exit code.</summary>
    public async Task<int> WaitExitAsync(TimeSpan timeout)
    {
        var process = ProcessRunner.Process;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds:0}s\n{Describe()}");
        }

        process.WaitForExit(); // let the output readers finish
        return process.ExitCode;
    }

    /// <summary>
    /// Rewrites the config file and sends SIGHUP (the reload of modular and nats-server); returns once
    /// the signal is sent. A later restart runs on this config.
    /// </summary>
    public async Task ReloadAsync(string configText, CancellationToken cancellationToken = default)
    {
        await File.WriteAllTextAsync(ConfigPath, configText, cancellationToken).ConfigureAwait(false);
        ConfigText = configText;
        _config = _ => configText;
        _builder = null;
        Signal(Signals.Reload);
    }

    /// <summary>As <see cref="ReloadAsync(string, CancellationToken)"/> with <paramref name="next"/> rendered on the node's ports.</summary>
    /// <remarks>
    /// Rendered for the ports the running config names (port 0 at a first run, so the reload changes no
    /// listener); a later restart renders it on the ports the first run reported.
    /// </remarks>
    public async Task ReloadAsync(ConfigBuilder next, CancellationToken cancellationToken = default)
    {
        var flavor = Program.Flavor;
        await ReloadAsync(next.Render(flavor, _renderedWith), cancellationToken).ConfigureAwait(false);
        _config = pinned => next.Render(flavor, pinned);
        _builder = next;
    }

    /// <summary>True if any output line so far contains <paramref name="text"/> (case-insensitive).</summary>
    public bool OutputContains(string text) => Output.Contains(text);

    /// <summary>The config and the last output lines, for assertion messages.</summary>
    public string Describe(int lines = 60)
    {
        var text = new StringBuilder();
        text.Append("--- ").Append(Program.Label).Append(' ').Append(Name).Append(" (").Append(Backend);
        if (_ports is { } ports)
        {
            text.Append(", client ").Append(ports.Client).Append(", monitor ").Append(ports.Monitor?.ToString() ?? "-").Append(", cluster ").Append(ports.Cluster?.ToString() ?? "-");
        }

        text.Append(IsRunning ? ", running" : ", not running").Append(") config:\n")
            .Append(ConfigText)
            .Append("--- last output lines:\n")
            .Append(Output.Tail(lines));
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _runner.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            try
            {
                if (_ownsDirectory)
                {
                    System.IO.Directory.Delete(Directory, recursive: true);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A scratch folder left in /tmp is harmless.
            }
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        _renderedWith = _ports;
        ConfigText = _config(_ports);
        await File.WriteAllTextAsync(ConfigPath, ConfigText, cancellationToken).ConfigureAwait(false);
        try
        {
            var ports = await _runner.StartAsync(ConfigPath, cancellationToken).ConfigureAwait(false);
            _ports ??= ports;
        }
        catch (NodeDidNotStartException ex)
        {
            throw new NodeDidNotStartException($"{Name} {ex.Message}\n{Describe()}");
        }
    }
}
