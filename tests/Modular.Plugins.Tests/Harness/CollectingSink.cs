using System.Globalization;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace Modular.Plugins.Tests.Harness;

/// <summary>A Serilog sink that keeps events, behind the same kind of factory the host hands plugins.</summary>
public sealed class CollectingSink : ILogEventSink
{
    private readonly List<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToArray();
            }
        }
    }

    public IReadOnlyList<string> Messages => Events.Select(e => e.RenderMessage(CultureInfo.InvariantCulture).Replace("\"", "", StringComparison.Ordinal)).ToList();

    public static ILoggerFactory LoggerFactory(CollectingSink sink) =>
        new SerilogLoggerFactory(new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger(), dispose: true);

    public void Emit(LogEvent logEvent)
    {
        lock (_events)
        {
            _events.Add(logEvent);
        }
    }
}
