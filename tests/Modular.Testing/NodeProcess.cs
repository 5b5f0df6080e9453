using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Modular.Testing;

/// <summary>
/// One cluster node: a <c>modular run -c FILE</c> or <c>nats-server -c FILE</c> process on the ports
/// of its <see cref="NodeSpec"/>. It can be killed (SIGKILL) and started again on the same ports and
/// config. Output of every run is kept for assertion messages. Dispose kills it and removes its folder.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable, IMonitoredNode
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory;
    private readonly List<string> _output = new();
    private Process? _process;
    private int _runs;
    private int _disposed;

    private NodeProcess(NodeProgram program, NodeSpec spec, string directory, string configPath, string configText)
    {
        Program = program;
        Spec = spec;
        _directory = directory;
        ConfigPath = configPath;
        ConfigText = configText;
    }

    public NodeProgram Program { get; }

    /// <summary>What the node runs; <see cref="ReloadAsync"/> replaces it.</summary>
    public NodeSpec Spec { get; private set; }

    public string Name => Spec.Name;

    public string ConfigPath { get; }

    public string ConfigText { get; private set; }

    public int ClientPort => Spec.Ports.Client;

    public int MonitorPort => Spec.Ports.Monitor;

    public int ClusterPort => Spec.Ports.Cluster;

    public string ClientUrl => $"nats://127.0.0.1:{ClientPort}";

    public string MonitorUrl => $"http://127.0.0.1:{MonitorPort}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>How long a start may take: <see cref="NodeSpec.StartTimeout"/>, else 30 s.</summary>
    private TimeSpan StartLimit => Spec.StartTimeout ?? StartTimeout;

    /// <summary>Every output line of every run so far (stderr lines start with "err| ").</summary>
    public IReadOnlyList<string> OutputLines
    {
        get
        {
            lock (_output)
            {
                return _output.ToArray();
            }
        }
    }

    /// <summary>Writes the config and starts the node; returns once it serves clients and monitoring.</summary>
    public static async Task<NodeProcess> StartAsync(NodeProgram program, NodeSpec spec, CancellationToken cancellationToken = default)
    {
        var directory = Directory.CreateTempSubdirectory($"modular-cluster-{spec.Name}-").FullName;
        var modular = program.Flavor == NodeFlavor.Modular;
        var configPath = Path.Combine(directory, modular ? "modular.toml" : "nats-server.conf");
        var configText = modular ? NodeConfigWriter.ToModularToml(spec) : NodeConfigWriter.ToNatsServerConf(spec);
        await File.WriteAllTextAsync(configPath, configText, cancellationToken).ConfigureAwait(false);
        var node = new NodeProcess(program, spec, directory, configPath, configText);
        try
        {
            await node.StartProcessAsync(cancellationToken).ConfigureAwait(false);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>SIGKILL: no goodbye on any connection. Waits for the process to be gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process && !process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a POSIX signal by number (Linux: 12 = SIGUSR2, lame duck mode for both programs; 15 = SIGTERM).</summary>
    public void Signal(int signal)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} is not running");
        if (Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for the process to end by itself (after a signal); returns its exit code.</summary>
    public async Task<int> WaitExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started");
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

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Starts the node again with the same config and ports (after <see cref="KillAsync"/>).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
        _process = null;
        await StartProcessAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rewrites the config file for <paramref name="next"/> (same name and ports) and sends SIGHUP, the
    /// config reload of both modular and nats-server; returns once the file is written and the signal sent.
    /// </summary>
    public async Task ReloadAsync(NodeSpec next, CancellationToken cancellationToken = default)
    {
        if (next.Name != Spec.Name || next.Ports != Spec.Ports)
        {
            throw new ArgumentException("a reload keeps the node's name and ports", nameof(next));
        }

        var text = Program.Flavor == NodeFlavor.Modular ? NodeConfigWriter.ToModularToml(next) : NodeConfigWriter.ToNatsServerConf(next);
        await File.WriteAllTextAsync(ConfigPath, text, cancellationToken).ConfigureAwait(false);
        Spec = next;
        ConfigText = text;
        Signals.Send(_process?.Id ?? throw new InvalidOperationException($"{Name} is not running"), Signals.Reload);
    }

    /// <summary>The config and the last output lines, for assertion messages.</summary>
    public string Describe(int lines = 60)
    {
        var all = OutputLines;
        var text = new StringBuilder();
        text.Append("--- ").Append(Program.Label).Append(' ').Append(Name)
            .Append(" (client ").Append(ClientPort).Append(", monitor ").Append(MonitorPort).Append(", cluster ").Append(ClusterPort)
            .Append(IsRunning ? ", running" : ", not running").Append(") config:\n")
            .Append(ConfigText)
            .Append("--- last ").Append(Math.Min(lines, all.Count)).Append(" of ").Append(all.Count).Append(" output lines:\n");
        foreach (var line in all.Skip(Math.Max(0, all.Count - lines)))
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>True if any output line so far contains <paramref name="text"/> (case-insensitive).</summary>
    public bool OutputContains(string text) =>
        OutputLines.Any(line => line.Contains(text, StringComparison.OrdinalIgnoreCase));

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var run = Interlocked.Increment(ref _runs);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var process = Launch(run);
            _process = process;
            try
            {
                await WaitReadyAsync(process, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NodeDidNotStartException) when (process.HasExited && LooksLikePortClash() && clock.Elapsed < StartLimit)
            {
                // The same ports are reused on restart: a listener of the killed process may linger a moment.
                Capture($"(harness: port still busy, starting {Name} again)");
                process.Dispose();
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Process Launch(int run)
    {
        Capture($"(harness: run {run} of {Name}: {Program.Label})");
        return HostProcess.Start(Program, HostProcess.RunArguments(Program, ConfigPath), _directory, Capture);
    }

    private void Capture(string line)
    {
        lock (_output)
        {
            _output.Add(line);
        }
    }

    private async Task WaitReadyAsync(Process process, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
                throw new NodeDidNotStartException($"{Name} exited with code {process.ExitCode} before serving clients\n{Describe()}");
            }

            if (await HostProcess.AnswersInfoAsync(ClientPort, cancellationToken).ConfigureAwait(false)
                && await HostProcess.AcceptsAsync(MonitorPort, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (clock.Elapsed > StartLimit)
            {
                throw new NodeDidNotStartException($"{Name} did not serve {ClientUrl} and {MonitorUrl} within {StartLimit.TotalSeconds}s\n{Describe()}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool LooksLikePortClash() =>
        OutputLines.Any(line =>
            line.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
            || line.Contains("AddressAlreadyInUse", StringComparison.OrdinalIgnoreCase));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await KillAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or refuses to die: nothing more a test can do.
        }
        finally
        {
            _process?.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A scratch folder left in /tmp is harmless.
            }
        }
    }
}

/// <summary>The node's process exited or never served its ports.</summary>
public sealed class NodeDidNotStartException(string message) : Exception(message);
