using System.Reflection;

namespace Modular.Server.Commands;

internal static class Usage
{
    public static string Version { get; } = ReadVersion();

    public static string Text { get; } = """
        modular - a NATS-compatible message broker composed of plugins

        usage:
          modular run [-c FILE] [--ports_file_dir DIR] [--config_watch INTERVAL]
                                       run one server; Ctrl-C or SIGTERM stops it, SIGUSR2 = lame duck mode, SIGHUP = reload
                                       (no file: clients on 0.0.0.0:4222, monitoring on 127.0.0.1:8222; with DIR, the bound
                                       ports are written to DIR/modular_<pid>.ports while it runs; with INTERVAL, e.g. 5s,
                                       the file is reloaded when its content changes, as on SIGHUP)
          modular check -c FILE        validate a configuration and configure its plugins without starting anything
          modular up [-n 3] [-c FILE]  run a local full-mesh cluster of n servers with a live table; Ctrl-C stops all
          modular passwd [--cost N]    read a password without echo, print its bcrypt hash (cost 11)
          modular plugins [-c FILE]    list the plugins a configuration loads (no file: the bundled ones)
          modular cluster check --monitor URL...  check a running cluster (one URL finds the rest): routes, names, interest, slow consumers
          modular ldm --pid PID | --monitor URL   put a running server in lame duck mode (SIGUSR2)
          modular reload --pid PID | --monitor URL   reload log level and accounts (SIGHUP)
          modular help | --version

        exit codes: 0 ok, 1 runtime failure, 2 bad configuration or usage

        """.ReplaceLineEndings();

    /// <summary>The git commit the build came from (embedded by the SDK as InformationalVersion's "+sha"), or "unknown" outside git.</summary>
    public static string Commit { get; } = ReadCommit();

    private static string? InformationalVersion =>
        typeof(Usage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private static string ReadVersion()
    {
        var informational = InformationalVersion;
        if (informational is null)
        {
            return typeof(Usage).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        }

        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }

    private static string ReadCommit()
    {
        var informational = InformationalVersion ?? "";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 || plus == informational.Length - 1 ? "unknown" : informational[(plus + 1)..];
    }
}
