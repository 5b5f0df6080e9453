using System.Globalization;
using Microsoft.Extensions.Logging;
using Modular.Core.Config;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Compact;

namespace Modular.Server.Logging;

/// <summary>
/// Builds the Serilog pipeline from [log] and hands it to the engine and plugins as a
/// Microsoft.Extensions.Logging <see cref="ILoggerFactory"/> (they never see Serilog).
/// </summary>
internal static class LoggingSetup
{
    /// <summary>Text lines: time, level, the connection ids of the scope (cid/rid) when there are any, the message.</summary>
    public const string TextTemplate =
        "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {" + ConnectionIdEnricher.PropertyName + ":l}{Message:lj}{NewLine}{Exception}";

    /// <summary>The factory owns the Serilog logger: disposing it flushes and closes the sinks.</summary>
    public static ILoggerFactory CreateLoggerFactory(ModularOptions options) => CreateLoggerFactory(options, new LoggingLevelSwitch(ToLevel(options.Log.Level)));

    /// <summary>As <see cref="CreateLoggerFactory(ModularOptions)"/>, with the minimum level in <paramref name="level"/> (changed by a config reload).</summary>
    public static ILoggerFactory CreateLoggerFactory(ModularOptions options, LoggingLevelSwitch level)
    {
        var logger = CreateLogger(options.Log, options.SourceFile, level);
        return new SerilogLoggerFactory(logger, dispose: true);
    }

    public static Logger CreateLogger(LogOptions log, string? configFile, LoggingLevelSwitch? level = null)
    {
        var json = log.Format == "json";
        var configuration = new LoggerConfiguration()
            .MinimumLevel.ControlledBy(level ?? new LoggingLevelSwitch(ToLevel(log.Level)))
            .Enrich.FromLogContext();
        if (!json)
        {
            // JSON events carry cid/rid as properties already; the prefix is for text lines.
            configuration = configuration.Enrich.With<ConnectionIdEnricher>();
        }

        if (log.File is { } file)
        {
            var path = ResolvePath(file, configFile);
            configuration = json
                ? configuration.WriteTo.File(new CompactJsonFormatter(), path)
                : configuration.WriteTo.File(path, outputTemplate: TextTemplate, formatProvider: CultureInfo.InvariantCulture);
        }
        else
        {
            configuration = json
                ? configuration.WriteTo.Console(new CompactJsonFormatter())
                : configuration.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: CultureInfo.InvariantCulture);
        }

        return configuration.CreateLogger();
    }

    /// <summary>The [log] level names (already validated by the loader) as Serilog levels.</summary>
    public static LogEventLevel ToLevel(string level) => level switch
    {
        "verbose" => LogEventLevel.Verbose,
        "debug" => LogEventLevel.Debug,
        "warning" or "warn" => LogEventLevel.Warning,
        "error" => LogEventLevel.Error,
        "fatal" => LogEventLevel.Fatal,
        _ => LogEventLevel.Information,
    };

    /// <summary>A relative log file is relative to the configuration file's folder, like plugin paths.</summary>
    private static string ResolvePath(string file, string? configFile)
    {
        if (Path.IsPathRooted(file) || configFile is null)
        {
            return file;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(configFile));
        return folder is null ? file : Path.Combine(folder, file);
    }
}
