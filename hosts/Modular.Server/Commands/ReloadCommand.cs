using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Modular.Server.Commands;

/// <summary>
/// <c>modular reload --pid N | --monitor URL</c>: sends SIGHUP, on which a server reads its file
/// again and applies the log level and the accounts, or refuses the whole reload with one log line
/// (see <see cref="ConfigReloader"/>). With <c>--monitor</c> the server is the local process behind
/// that port, and the command waits for <c>config_load_time</c> of /varz to move: exit 0 when the
/// reload was applied, 1 when it was refused (the server's log says why).
/// </summary>
internal static class ReloadCommand
{
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(5);

    public static async Task<int> ExecuteAsync(IReadOnlyList<string> args)
    {
        int? pid = null;
        string? monitor = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "-h" or "--help")
            {
                Console.Out.WriteLine("usage: modular reload --pid PID | --monitor URL   (sends SIGHUP: reload log level and accounts)");
                return ExitCodes.Ok;
            }

            if (args[i] is "--pid" or "-p" && i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
            {
                pid = parsed;
                i++;
            }
            else if (args[i] is "--monitor" or "-m" && i + 1 < args.Count)
            {
                monitor = args[++i];
            }
            else
            {
                Cli.Fail($"reload: unexpected argument \"{args[i]}\" (usage: modular reload --pid PID | --monitor URL)");
                return ExitCodes.BadConfigOrUsage;
            }
        }

        if ((pid is null) == (monitor is null))
        {
            Cli.Fail("reload: give exactly one of --pid PID or --monitor URL");
            return ExitCodes.BadConfigOrUsage;
        }

        if (pid is { } target)
        {
            return Send(target, $"pid {target}") ? ExitCodes.Ok : ExitCodes.RuntimeFailure;
        }

        using var endpoint = MonitorEndpoint.TryCreate(monitor!, TimeSpan.FromSeconds(3), out var error);
        if (endpoint is null)
        {
            Cli.Fail("reload: " + error);
            return ExitCodes.BadConfigOrUsage;
        }

        string before;
        string name;
        try
        {
            (name, before) = await ReadLoadTimeAsync(endpoint).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Cli.Fail($"reload: cannot read {endpoint.Label}/varz: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }

        var found = ListeningProcess.FindByPort(endpoint.BaseUri.Port, out var why);
        if (found is not { } serverPid)
        {
            Cli.Fail($"reload: {endpoint.Label}: {why}");
            return ExitCodes.RuntimeFailure;
        }

        if (!Send(serverPid, $"{name} (pid {serverPid}, {endpoint.Label})"))
        {
            return ExitCodes.RuntimeFailure;
        }

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ConfirmTimeout)
        {
            await Task.Delay(100).ConfigureAwait(false);
            var (_, now) = await ReadLoadTimeAsync(endpoint).ConfigureAwait(false);
            if (now != before)
            {
                Console.Out.WriteLine($"{name} reloaded its configuration (config_load_time {now})");
                return ExitCodes.Ok;
            }
        }

        Cli.Fail($"reload: {name} did not apply a reload within {ConfirmTimeout.TotalSeconds:0}s: nothing reloadable changed, or it was refused (its log says which)");
        return ExitCodes.RuntimeFailure;
    }

    private static async Task<(string Name, string LoadTime)> ReadLoadTimeAsync(MonitorEndpoint endpoint)
    {
        using var varz = await endpoint.GetJsonAsync("varz", CancellationToken.None).ConfigureAwait(false);
        var root = varz.RootElement;
        return (
            root.TryGetProperty("server_name", out var n) ? n.GetString() ?? "?" : "?",
            root.TryGetProperty("config_load_time", out var t) ? t.ToString() : "");
    }

    private static bool Send(int pid, string what)
    {
        if (PosixSignals.Reload is not { } signal)
        {
            Cli.Fail("reload: configuration reload is triggered by SIGHUP, which this platform does not have");
            return false;
        }

        try
        {
            PosixSignals.Send(pid, signal);
        }
        catch (Win32Exception ex)
        {
            Cli.Fail($"reload: cannot signal {what}: {ex.Message}");
            return false;
        }

        Console.Out.WriteLine($"sent SIGHUP (reload) to {what}");
        return true;
    }
}
