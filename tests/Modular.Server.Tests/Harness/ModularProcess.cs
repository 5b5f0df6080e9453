using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Modular.Server.Tests.Harness;

/// <summary>
/// One running <c>modular run -c FILE</c> process on free loopback ports, with its output captured.
/// Dispose kills it and removes its scratch folder.
/// </summary>
public sealed class ModularProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private const int StartAttempts = 3;

    /// <summary>Set to <c>nats-server</c> to run the suite against the reference server instead (to check the tests).</summary>
    public const string ReferenceVariable = "MODULAR_E2E_SERVER";

    private readonly Process _process;
    private readonly string _directory;
    private readonly List<string> _output = new();
    private int _disposed;

    private ModularProcess(Process process, string directory, string configPath, string configText, int clientPort, int? monitorPort)
    {
        _process = process;
        _directory = directory;
        ConfigPath = configPath;
        ConfigText = configText;
        ClientPort = clientPort;
        MonitorPort = monitorPort;
    }

    public int ClientPort { get; }

    public int? MonitorPort { get; }

    public string ClientUrl => $"nats://127.0.0.1:{ClientPort}";

    /// <summary>http://127.0.0.1:PORT, or throws when the config has no <c>[monitor]</c>.</summary>
    public string MonitorUrl => MonitorPort is { } port
        ? $"http://127.0.0.1:{port}"
        : throw new InvalidOperationException("This server was started without [monitor]");

    public string ConfigPath { get; }

    public string ConfigText { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every stdout/stderr line so far, in arrival order (stderr lines start with "err| ").</summary>
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

    /// <summary>The last lines of output plus the config, for assertion messages.</summary>
    public string Describe(int lines = 40)
    {
        var all = OutputLines;
        var text = new StringBuilder();
        text.Append("--- modular (pid ").Append(_process.Id).Append(", ").Append(ClientUrl)
            .Append(HasExited ? $", exited {SafeExitCode()}" : ", running").Append(") config:\n")
            .Append(ConfigText)
            .Append("--- last ").Append(Math.Min(lines, all.Count)).Append(" of ").Append(all.Count).Append(" output lines:\n");
        foreach (var line in all.Skip(Math.Max(0, all.Count - lines)))
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    public static async Task<ModularProcess> StartAsync(ModularConfig config, CancellationToken cancellationToken = default)
    {
        var reference = string.Equals(Environment.GetEnvironmentVariable(ReferenceVariable), "nats-server", StringComparison.Ordinal);
        var hostDll = reference ? "" : HostLocator.FindHostDll();
        Exception? lastFailure = null;
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            var server = Launch(hostDll, config, reference);
            try
            {
                await server.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (ServerDidNotStartException ex) when (attempt < StartAttempts && server.HasExited && LooksLikePortClash(server))
            {
                // Another process took one of our ports between probing and binding: try fresh ports.
                lastFailure = ex;
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        throw lastFailure ?? new InvalidOperationException("unreachable");
    }

    private static ModularProcess Launch(string hostDll, ModularConfig config, bool reference)
    {
        var clientPort = FreePort.Next();
        int? monitorPort = config.Monitor ? FreePort.Next() : null;
        var directory = Directory.CreateTempSubdirectory("modular-e2e-").FullName;
        var configPath = Path.Combine(directory, reference ? "nats-server.conf" : "modular.toml");
        var configText = reference ? config.ToNatsServerConf(clientPort, monitorPort) : config.ToToml(clientPort, monitorPort);
        File.WriteAllText(configPath, configText);

        var startInfo = new ProcessStartInfo(reference ? "nats-server" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        if (!reference)
        {
            startInfo.ArgumentList.Add(hostDll);
            startInfo.ArgumentList.Add("run");
        }

        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(configPath);
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var server = new ModularProcess(process, directory, configPath, configText, clientPort, monitorPort);
        process.OutputDataReceived += (_, e) => server.Capture(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => server.Capture(e.Data, isError: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private void Capture(string? line, bool isError)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(isError ? "err| " + line : line);
        }
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartTimeout);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                // Let the output readers catch up before describing.
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
                throw new ServerDidNotStartException($"modular exited with code {SafeExitCode()} before serving clients\n{Describe()}");
            }

            if (await AnswersWithInfoAsync(ClientPort, deadline.Token).ConfigureAwait(false)
                && (MonitorPort is not { } monitorPort || await AcceptsAsync(monitorPort, deadline.Token).ConfigureAwait(false)))
            {
                return;
            }

            if (clock.Elapsed > StartTimeout || deadline.IsCancellationRequested)
            {
                throw new ServerDidNotStartException(
                    $"modular did not answer INFO on {ClientUrl}{(MonitorPort is null ? "" : " and accept on " + MonitorUrl)} within {StartTimeout.TotalSeconds}s\n{Describe()}");
            }

            try
            {
                await Task.Delay(50, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The loop reports the timeout with the server output.
            }
        }
    }

    private static async Task<bool> AnswersWithInfoAsync(int port, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port, attempt.Token).ConfigureAwait(false);
            var stream = tcp.GetStream();
            var buffer = new byte[5];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), attempt.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            return buffer.AsSpan().SequenceEqual("INFO "u8);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port, attempt.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static bool LooksLikePortClash(ModularProcess server) =>
        server.OutputLines.Any(line =>
            line.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
            || line.Contains("AddressAlreadyInUse", StringComparison.OrdinalIgnoreCase));

    private string SafeExitCode()
    {
        try
        {
            return _process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or refuses to die: nothing more a test can do.
        }
        finally
        {
            _process.Dispose();
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

/// <summary>The host process exited or never answered with INFO.</summary>
public sealed class ServerDidNotStartException(string message) : Exception(message);
