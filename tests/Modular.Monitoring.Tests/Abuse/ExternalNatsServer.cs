using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Modular.Monitoring.Tests.Abuse;

/// <summary>
/// A nats-server process (MODULAR_NATS_SERVER_29, else nats-server on PATH) with monitoring on
/// loopback, for side-by-side figures. Its ports are picked by binding 0 and releasing, which is
/// the best an external process allows.
/// </summary>
internal sealed class ExternalNatsServer : IDisposable
{
    private readonly Process _process;

    private ExternalNatsServer(Process process, IPEndPoint monitor)
    {
        _process = process;
        Monitor = monitor;
    }

    public IPEndPoint Monitor { get; }

    /// <summary>The executable, or null when none is installed (the comparison is then skipped).</summary>
    public static string? Executable()
    {
        var configured = Environment.GetEnvironmentVariable("MODULAR_NATS_SERVER_29");
        if (!string.IsNullOrEmpty(configured) && File.Exists(configured))
        {
            return configured;
        }

        return new[] { "/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server" }.FirstOrDefault(File.Exists);
    }

    public static async Task<ExternalNatsServer> StartAsync(string executable)
    {
        var clientPort = ReleasedPort();
        var monitorPort = ReleasedPort();
        var info = new ProcessStartInfo(executable)
        {
            ArgumentList = { "-a", "127.0.0.1", "-p", clientPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", monitorPort.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("nats-server did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new ExternalNatsServer(process, new IPEndPoint(IPAddress.Loopback, monitorPort));
        var clock = Stopwatch.StartNew();
        while (await Slowloris.ProbeAsync(server.Monitor, "/healthz") != 200)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10) || process.HasExited)
            {
                server.Dispose();
                throw new TimeoutException("nats-server monitoring did not answer within 10 s");
            }

            await Task.Delay(50);
        }

        return server;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static int ReleasedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
