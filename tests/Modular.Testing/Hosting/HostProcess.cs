using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;

namespace Modular.Testing;

/// <summary>
/// The one place tests start a long-running server process: <c>dotnet modular.dll ARGS</c> for the
/// modular host, the binary itself for a nats-server peer. Output lines (stderr prefixed "err| ")
/// go to the caller's sink as they arrive. Also the readiness probes and the ports-file reader that
/// every process-backed node shares.
/// </summary>
public static class HostProcess
{
    /// <summary>
    /// How <paramref name="program"/> is run with <paramref name="args"/>: redirected, no shell, telemetry
    /// off; under <paramref name="launchPrefix"/> when given (e.g. <c>ip netns exec NAME</c>, which execs
    /// the program, so the process id is the server's).
    /// </summary>
    public static ProcessStartInfo StartInfoFor(NodeProgram program, IEnumerable<string> args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? launchPrefix = null)
    {
        var modular = program.Flavor == NodeFlavor.Modular;
        var command = new List<string>(launchPrefix ?? []);
        command.Add(modular ? "dotnet" : program.Path);
        if (modular)
        {
            command.Add(program.Path);
        }

        var startInfo = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            startInfo.WorkingDirectory = workingDirectory;
        }

        foreach (var word in command.Skip(1))
        {
            startInfo.ArgumentList.Add(word);
        }

        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }

    /// <summary>Starts <paramref name="program"/> with <paramref name="args"/>; every output line goes to <paramref name="output"/>.</summary>
    public static Process Start(NodeProgram program, IEnumerable<string> args, string? workingDirectory, Action<string> output, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? launchPrefix = null)
    {
        var process = new Process { StartInfo = StartInfoFor(program, args, workingDirectory, environment, launchPrefix), EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                output(line);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                output("err| " + line);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The arguments that run a server on <paramref name="configPath"/>: <c>run -c FILE</c> for modular, <c>-c FILE</c> for nats-server.</summary>
    public static IReadOnlyList<string> RunArguments(NodeProgram program, string configPath, string? portsFileDir = null)
    {
        var args = new List<string>();
        if (program.Flavor == NodeFlavor.Modular)
        {
            args.Add("run");
        }

        args.Add("-c");
        args.Add(configPath);
        if (portsFileDir is not null)
        {
            args.Add("--ports_file_dir");
            args.Add(portsFileDir);
        }

        return args;
    }

    /// <summary>SIGKILL (no goodbye on any connection) and wait for the process to be gone.</summary>
    public static async Task KillAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or refuses to die: nothing more a test can do.
        }
    }

    /// <summary>
    /// The ports the process <paramref name="pid"/> wrote to <paramref name="directory"/> (nats-server's
    /// <c>ports_file_dir</c> file, <c>&lt;exe&gt;_&lt;pid&gt;.ports</c>), or null while it is not there yet.
    /// </summary>
    public static BoundPorts? TryReadPortsFile(string directory, int pid)
    {
        var file = Directory.EnumerateFiles(directory, $"*_{pid}.ports").FirstOrDefault();
        if (file is null)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            return BoundPorts.FromPortsFile(json.RootElement);
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null; // being written
        }
    }

    /// <summary>True once a connection to the loopback port gets <c>INFO </c> first.</summary>
    public static async Task<bool> AnswersInfoAsync(int port, CancellationToken cancellationToken)
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

    /// <summary>True once the loopback port accepts a connection.</summary>
    public static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
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

    /// <summary>True when the output says a listener could not bind (a port of a killed run may linger a moment).</summary>
    public static bool LooksLikePortClash(IEnumerable<string> output) =>
        output.Any(line =>
            line.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
            || line.Contains("AddressAlreadyInUse", StringComparison.OrdinalIgnoreCase));
}
