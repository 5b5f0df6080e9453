namespace Modular.Server.Commands;

/// <summary>
/// The options <c>run</c> and <c>check</c> share: <c>-c FILE</c> (or <c>--config FILE</c>, <c>--config=FILE</c>)
/// and <c>-h</c>; <c>run</c> also takes <c>--ports_file_dir DIR</c> (nats-server's flag) and
/// <c>--config_watch INTERVAL</c> (reload when the file's content changes, see <see cref="ConfigWatcher"/>).
/// </summary>
internal sealed class CommandArguments
{
    public string? ConfigPath { get; private set; }

    /// <summary>Where <c>run</c> writes its ports file (see <see cref="PortsFile"/>); null: no file.</summary>
    public string? PortsFileDir { get; private set; }

    /// <summary>How often <c>run</c> checks its file for a change to reload; null: only on SIGHUP.</summary>
    public TimeSpan? ConfigWatchInterval { get; private set; }

    public bool Help { get; private set; }

    /// <summary>Parses <paramref name="args"/>; on a usage error prints one line to stderr and returns null.</summary>
    public static CommandArguments? Parse(string command, IReadOnlyList<string> args)
    {
        var parsed = new CommandArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? value = null;
            if (arg is "-c" or "--config")
            {
                if (i + 1 >= args.Count || args[i + 1].Length == 0)
                {
                    Cli.Fail($"{command}: {arg} needs a file name");
                    return null;
                }

                value = args[++i];
            }
            else if (arg.StartsWith("--config=", StringComparison.Ordinal) || arg.StartsWith("-c=", StringComparison.Ordinal))
            {
                value = arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..];
                if (value.Length == 0)
                {
                    Cli.Fail($"{command}: {arg} needs a file name");
                    return null;
                }
            }
            else if (command == "run" && (arg == "--ports_file_dir" || arg.StartsWith("--ports_file_dir=", StringComparison.Ordinal)))
            {
                var directory = arg.Contains('=', StringComparison.Ordinal) ? arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..] : i + 1 < args.Count ? args[++i] : "";
                if (directory.Length == 0)
                {
                    Cli.Fail($"{command}: --ports_file_dir needs a folder name");
                    return null;
                }

                parsed.PortsFileDir = directory;
                continue;
            }
            else if (command == "run" && (arg == "--config_watch" || arg.StartsWith("--config_watch=", StringComparison.Ordinal)))
            {
                var interval = arg.Contains('=', StringComparison.Ordinal) ? arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..] : i + 1 < args.Count ? args[++i] : "";
                if (!Modular.Abstractions.Settings.DurationParser.TryParse(interval, out var every) || every < TimeSpan.FromMilliseconds(100))
                {
                    Cli.Fail($"{command}: --config_watch needs an interval of at least 100ms like \"5s\", got \"{interval}\"");
                    return null;
                }

                parsed.ConfigWatchInterval = every;
                continue;
            }
            else if (arg is "-h" or "--help")
            {
                parsed.Help = true;
                continue;
            }
            else
            {
                Cli.Fail($"{command}: unexpected argument \"{arg}\" (try: modular help)");
                return null;
            }

            if (parsed.ConfigPath is not null)
            {
                Cli.Fail($"{command}: -c given twice");
                return null;
            }

            parsed.ConfigPath = value;
        }

        if (parsed.ConfigWatchInterval is not null && parsed.ConfigPath is null && !parsed.Help)
        {
            Cli.Fail($"{command}: --config_watch needs -c FILE (the file to watch)");
            return null;
        }

        return parsed;
    }
}
