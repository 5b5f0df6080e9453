using Microsoft.Extensions.Logging;

namespace Modular.Monitoring;

/// <summary>
/// Hands Kestrel and ASP.NET Core the host's loggers but only for warnings and worse: their
/// information-level chatter (every connection, every request) would drown the broker's own log.
/// Disposing it leaves the host's factory alone.
/// </summary>
internal sealed class WarningsOnlyLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new WarningsOnlyLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider)
    {
        // The host configures its providers; ASP.NET Core adds none of its own here.
    }

    public void Dispose()
    {
    }

    private sealed class WarningsOnlyLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
