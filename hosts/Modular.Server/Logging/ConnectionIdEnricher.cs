using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace Modular.Server.Logging;

/// <summary>
/// Adds <see cref="PropertyName"/>: "cid:7 - " when the event (or its scope) carries a client id
/// <c>cid</c>, "rid:3 - " for a route id <c>rid</c>, else empty, so text lines show which
/// connection speaks without a "cid" hole in lines that have none.
/// </summary>
internal sealed class ConnectionIdEnricher : ILogEventEnricher
{
    public const string PropertyName = "ConnectionIds";

    private static readonly LogEventProperty Empty = new(PropertyName, new ScalarValue(""));

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        // The core's connection lines already start with "cid:{cid} - " or "rid:{rid} - "
        // (so they read the same through any logger); those need no prefix.
        var text = logEvent.MessageTemplate.Text;
        var hasCid = logEvent.Properties.TryGetValue("cid", out var cid) && !text.StartsWith("cid:{cid}", StringComparison.Ordinal);
        var hasRid = logEvent.Properties.TryGetValue("rid", out var rid) && !text.StartsWith("rid:{rid}", StringComparison.Ordinal);
        if (!hasCid && !hasRid)
        {
            logEvent.AddPropertyIfAbsent(Empty);
            return;
        }

        var prefix = (hasCid ? "cid:" + Render(cid!) + " - " : "") + (hasRid ? "rid:" + Render(rid!) + " - " : "");
        logEvent.AddPropertyIfAbsent(new LogEventProperty(PropertyName, new ScalarValue(prefix)));
    }

    private static string Render(LogEventPropertyValue value) => value is ScalarValue { Value: IFormattable formattable }
        ? formattable.ToString(null, CultureInfo.InvariantCulture)
        : value is ScalarValue { Value: { } scalar } ? scalar.ToString() ?? "" : value.ToString();
}
