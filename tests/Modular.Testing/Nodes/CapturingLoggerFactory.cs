using Microsoft.Extensions.Logging;

namespace Modular.Testing;

/// <summary>
/// The in-process backend's log: every entry as one line "[LVL] category: message" (exception
/// appended), so a test can assert on it as it does on a host process's output.
/// </summary>
internal sealed class CapturingLoggerFactory(Action<string> sink, LogLevel minimum) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, sink, minimum);

    public void AddProvider(ILoggerProvider provider)
    {
        // Lines are captured, not forwarded.
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category, Action<string> sink, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"[{Abbreviation(logLevel)}] {category}: {formatter(state, exception)}";
            sink(exception is null ? line : line + " " + exception);
        }

        private static string Abbreviation(LogLevel level) => level switch
        {
            LogLevel.Trace => "VRB",
            LogLevel.Debug => "DBG",
            LogLevel.Information => "INF",
            LogLevel.Warning => "WRN",
            LogLevel.Error => "ERR",
            _ => "FTL",
        };
    }
}
