using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Modular.Testing.Secure;

/// <summary>
/// A modular or nats-server process run from a config text the test wrote (for configs the
/// generated <see cref="NodeSpec"/> files do not cover: plugins, TLS, route authorization). Ready once
/// its client port sends INFO (or, with TLS handshake first, accepts) and its monitoring port accepts.
/// It can be reloaded (config rewritten, SIGHUP) and restarted; Dispose kills it.
/// </summary>
public sealed class ConfiguredNode : IAsyncDisposable, IMonitoredNode
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly List<string> _output = new();
    private readonly string _directory;
    private readonly bool _clientSendsInfoFirst;
    private Process? _process;

    private ConfiguredNode(NodeProgram program, string name, NodePorts ports, string configPath, string configText, string directory, bool clientSendsInfoFirst)
    {
        _directory = directory;
        _clientSendsInfoFirst = clientSendsInfoFirst;
        Program = program;
        Name = name;
        Ports = ports;
        ConfigPath = configPath;
        ConfigText = configText;
    }

    public NodeProgram Program { get; }

    public string Name { get; }

    public NodePorts Ports { get; }

    public string ConfigPath { get; }

    /// <summary>The config the process runs on; <see cref="ReloadAsync"/> replaces it.</summary>
    public string ConfigText { get; private set; }

    public string ClientUrl => $"nats://127.0.0.1:{Ports.Client}";

    public string MonitorUrl => $"http://127.0.0.1:{Ports.Monitor}";

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

    public static Task<ConfiguredNode> StartAsync(SecureNodeSpec spec, NodeProgram program, string directory, CancellationToken cancellationToken = default)
    {
        var modular = program.Flavor == NodeFlavor.Modular;
        return StartAsync(program, spec.Name, spec.Ports, modular ? spec.ToModularToml() : spec.ToNatsServerConf(), directory, cancellationToken);
    }

    /// <summary>Writes the config into <paramref name="directory"/> and starts the program; returns once it serves.</summary>
    public static async Task<ConfiguredNode> StartAsync(NodeProgram program, string name, NodePorts ports, string configText, string directory, CancellationToken cancellationToken = default, bool clientSendsInfoFirst = true)
    {
        Directory.CreateDirectory(directory);
        var modular = program.Flavor == NodeFlavor.Modular;
        var configPath = Path.Combine(directory, name + (modular ? ".toml" : ".conf"));
        await File.WriteAllTextAsync(configPath, configText, cancellationToken).ConfigureAwait(false);
        var node = new ConfiguredNode(program, name, ports, configPath, configText, directory, clientSendsInfoFirst);
        try
        {
            node.Launch();
            await node.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Rewrites the config file with <paramref name="configText"/> and sends SIGHUP (the config reload of
    /// modular and nats-server); returns once the file is written and the signal sent.
    /// </summary>
    public async Task ReloadAsync(string configText, CancellationToken cancellationToken = default)
    {
        await File.WriteAllTextAsync(ConfigPath, configText, cancellationToken).ConfigureAwait(false);
        ConfigText = configText;
        Signals.Send(_process is { HasExited: false } process ? process.Id : throw new InvalidOperationException($"{Name} is not running"), Signals.Reload);
    }

    /// <summary>SIGKILL (no goodbye on any connection), then the same config and ports again; returns once it serves.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await KillAsync().ConfigureAwait(false);
        Launch();
        await WaitReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    public bool OutputContains(string text) => OutputLines.Any(line => line.Contains(text, StringComparison.OrdinalIgnoreCase));

    public string Describe(int lines = 40)
    {
        var all = OutputLines;
        var text = new StringBuilder();
        text.Append("--- ").Append(Program.Label).Append(' ').Append(Name).Append(IsRunning ? " (running)" : " (not running)").Append(" config:\n")
            .Append(ConfigText).Append("--- last output lines:\n");
        foreach (var line in all.Skip(Math.Max(0, all.Count - lines)))
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

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

    private void Launch() =>
        _process = HostProcess.Start(Program, HostProcess.RunArguments(Program, ConfigPath), _directory, Capture);

    private void Capture(string line)
    {
        lock (_output)
        {
            _output.Add(line);
        }
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process!.HasExited)
            {
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
                throw new NodeDidNotStartException($"{Name} exited with code {_process.ExitCode} before serving clients\n{Describe()}");
            }

            var clientReady = _clientSendsInfoFirst
                ? await HostProcess.AnswersInfoAsync(Ports.Client, cancellationToken).ConfigureAwait(false)
                : await HostProcess.AcceptsAsync(Ports.Client, cancellationToken).ConfigureAwait(false);
            if (clientReady && await HostProcess.AcceptsAsync(Ports.Monitor, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new NodeDidNotStartException($"{Name} did not serve within {StartTimeout.TotalSeconds}s\n{Describe()}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => new(KillAsync());

    private async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
            }

            process.Dispose();
        }
    }
}
