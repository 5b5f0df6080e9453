using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Modular.Testing;

namespace Modular.Cluster.Tests.Operations;

/// <summary>
/// A <c>modular run -c FILE</c> node for the operations tests: the cluster harness's TOML for its
/// <see cref="NodeSpec"/> plus extra <c>[server]</c> lines (lame duck timings, a log file), started and
/// stopped by the test with real signals (SIGUSR2, SIGTERM), and started again on the same ports.
/// </summary>
public sealed class OpsNode : IAsyncDisposable, IMonitoredNode
{
    private readonly string _directory;
    private readonly List<string> _output = new();
    private Process? _process;
    private int _runs;

    private OpsNode(NodeSpec spec, string directory, string configText)
    {
        Spec = spec;
        _directory = directory;
        ConfigPath = Path.Combine(directory, "modular.toml");
        ConfigText = configText;
        File.WriteAllText(ConfigPath, configText);
    }

    public NodeSpec Spec { get; }

    public string Name => Spec.Name;

    public string ConfigPath { get; }

    public string ConfigText { get; }

    public string Directory => _directory;

    public string ClientUrl => $"nats://127.0.0.1:{Spec.Ports.Client}";

    public string MonitorUrl => $"http://127.0.0.1:{Spec.Ports.Monitor}";

    public Process Process => _process ?? throw new InvalidOperationException($"{Name} was never started");

    public bool IsRunning => _process is { HasExited: false };

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

    /// <summary>The nodes of a cluster spec, with <paramref name="serverLines"/> added to each node's <c>[server]</c> table; not started.</summary>
    public static IReadOnlyList<OpsNode> Plan(ClusterSpec spec, params string[] serverLines) => Plan(spec, serverLines, null);

    /// <summary>As <see cref="Plan(ClusterSpec, string[])"/>, with <paramref name="logLines"/> (given the node's folder) added to <c>[log]</c>.</summary>
    public static IReadOnlyList<OpsNode> Plan(ClusterSpec spec, string[] serverLines, Func<string, string[]>? logLines)
    {
        return TestCluster.PlanNodes(spec).Select(node =>
        {
            var toml = NodeConfigWriter.ToModularToml(node);
            var extra = string.Concat(serverLines.Select(line => line + "\n"));
            toml = toml.Replace("[server]\n", "[server]\n" + extra, StringComparison.Ordinal);
            var directory = System.IO.Directory.CreateTempSubdirectory($"modular-ops-{node.Name}-").FullName;
            if (logLines is not null)
            {
                toml = toml.Replace("[log]\n", "[log]\n" + string.Concat(logLines(directory).Select(line => line + "\n")), StringComparison.Ordinal);
            }

            return new OpsNode(node, directory, toml);
        }).ToList();
    }

    /// <summary>Starts (or starts again, on the same ports) and waits until clients get INFO.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var run = ++_runs;
            Capture($"(test: run {run} of {Name})");
            var process = HostProcess.Start(NodeProgram.Modular, HostProcess.RunArguments(NodeProgram.Modular, ConfigPath), _directory, Capture);
            _process = process;
            while (!process.HasExited && !await HostProcess.AnswersInfoAsync(Spec.Ports.Client, cancellationToken))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException($"{Name} did not serve clients within 30s\n{Describe()}");
                }

                await Task.Delay(50, cancellationToken);
            }

            if (!process.HasExited)
            {
                return;
            }

            // The same ports right after the previous run: a lingering listener; try again shortly.
            if (clock.Elapsed > TimeSpan.FromSeconds(30) || !OutputLines.Any(l => l.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException($"{Name} exited at start\n{Describe()}");
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Sends a signal by number (12 = SIGUSR2, 15 = SIGTERM, 2 = SIGINT).</summary>
    public void Signal(int signal) => Signals.Send(Process.Id, signal);

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public async Task<int> WaitExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds:0}s\n{Describe()}");
        }

        Process.WaitForExit(); // let the output readers finish
        return Process.ExitCode;
    }

    public bool OutputContains(string text) => OutputLines.Any(l => l.Contains(text, StringComparison.OrdinalIgnoreCase));

    public string Describe(int lines = 40)
    {
        var all = OutputLines;
        var text = new StringBuilder($"--- {Name} ({ClientUrl}, {MonitorUrl}, {(IsRunning ? "running" : "not running")}) config:\n{ConfigText}--- output:\n");
        foreach (var line in all.Skip(Math.Max(0, all.Count - lines)))
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    private void Capture(string line)
    {
        lock (_output)
        {
            _output.Add(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
            }

            process.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
