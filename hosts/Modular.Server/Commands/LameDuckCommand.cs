using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Modular.Server.Commands;

/// <summary>
/// <c>modular ldm --pid N</c> or <c>modular ldm --monitor URL</c>: puts a running server in lame duck
/// mode by sending it SIGUSR2. With <c>--monitor</c> the server is found as the local process that
/// listens on that monitoring port (a remote server needs the command run on its own machine), and
/// the command waits until its <c>/healthz</c> reports lame duck mode. There is deliberately no HTTP
/// trigger: the monitoring port stays read-only.
/// </summary>
internal static class LameDuckCommand
{
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> ExecuteAsync(IReadOnlyList<string> args)
    {
        int? pid = null;
        string? monitor = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                Console.Out.WriteLine("usage: modular ldm --pid PID | --monitor URL   (sends SIGUSR2: lame duck mode, then the server exits)");
                return ExitCodes.Ok;
            }

            if (arg is "--pid" or "-p" && i + 1 < args.Count)
            {
                if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0)
                {
                    Cli.Fail($"ldm: --pid needs a process id, not \"{args[i]}\"");
                    return ExitCodes.BadConfigOrUsage;
                }

                pid = parsed;
            }
            else if (arg is "--monitor" or "-m" && i + 1 < args.Count)
            {
                monitor = args[++i];
            }
            else
            {
                Cli.Fail($"ldm: unexpected argument \"{arg}\" (usage: modular ldm --pid PID | --monitor URL)");
                return ExitCodes.BadConfigOrUsage;
            }
        }

        if ((pid is null) == (monitor is null))
        {
            Cli.Fail("ldm: give exactly one of --pid PID or --monitor URL");
            return ExitCodes.BadConfigOrUsage;
        }

        if (pid is { } target)
        {
            return Signal(target, $"pid {target}");
        }

        using var endpoint = MonitorEndpoint.TryCreate(monitor!, TimeSpan.FromSeconds(3), out var error);
        if (endpoint is null)
        {
            Cli.Fail("ldm: " + error);
            return ExitCodes.BadConfigOrUsage;
        }

        if (!IsLocal(endpoint.BaseUri.Host))
        {
            Cli.Fail($"ldm: {endpoint.Label} is not on this machine; run `modular ldm` there (lame duck mode is a signal to the local process)");
            return ExitCodes.BadConfigOrUsage;
        }

        string name;
        try
        {
            using var varz = await endpoint.GetJsonAsync("varz", CancellationToken.None).ConfigureAwait(false);
            name = varz.RootElement.TryGetProperty("server_name", out var n) ? n.GetString() ?? "?" : "?";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Cli.Fail($"ldm: cannot read {endpoint.Label}/varz: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }

        var found = ListeningProcess.FindByPort(endpoint.BaseUri.Port, out var why);
        if (found is not { } serverPid)
        {
            Cli.Fail($"ldm: {endpoint.Label}: {why}");
            return ExitCodes.RuntimeFailure;
        }

        var sent = Signal(serverPid, $"{name} (pid {serverPid}, {endpoint.Label})");
        if (sent != ExitCodes.Ok)
        {
            return sent;
        }

        return await ConfirmAsync(endpoint, name).ConfigureAwait(false);
    }

    private static int Signal(int pid, string what)
    {
        if (PosixSignals.LameDuck is not { } signal)
        {
            Cli.Fail("ldm: lame duck mode is triggered by SIGUSR2, which this platform does not have");
            return ExitCodes.RuntimeFailure;
        }

        try
        {
            PosixSignals.Send(pid, signal);
        }
        catch (Win32Exception ex)
        {
            Cli.Fail($"ldm: cannot signal {what}: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }

        Console.Out.WriteLine($"sent SIGUSR2 (lame duck mode) to {what}");
        return ExitCodes.Ok;
    }

    /// <summary>Waits until /healthz reports lame duck mode (or the server is already gone: it had no clients).</summary>
    private static async Task<int> ConfirmAsync(MonitorEndpoint endpoint, string name)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ConfirmTimeout)
        {
            try
            {
                var (status, body, _) = await endpoint.GetAsync("healthz", CancellationToken.None).ConfigureAwait(false);
                using (body)
                {
                    var reason = body?.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
                    if (status != 200 && reason is not null && reason.Contains("lame duck", StringComparison.OrdinalIgnoreCase))
                    {
                        Console.Out.WriteLine($"{name} is in lame duck mode: no new clients; it closes its clients and exits");
                        return ExitCodes.Ok;
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Console.Out.WriteLine($"{name} has stopped (no clients left to wait for)");
                return ExitCodes.Ok;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        Cli.Fail($"ldm: {name} did not report lame duck mode on {endpoint.Label}/healthz within {ConfirmTimeout.TotalSeconds:0}s");
        return ExitCodes.RuntimeFailure;
    }

    private static bool IsLocal(string host)
    {
        if (host is "localhost" || host.Length == 0)
        {
            return true;
        }

        if (!IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return string.Equals(host, Dns.GetHostName(), StringComparison.OrdinalIgnoreCase);
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        try
        {
            return Dns.GetHostAddresses(Dns.GetHostName()).Any(a => a.Equals(address));
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
