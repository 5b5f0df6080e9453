using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace Modular.Monitoring;

/// <summary>
/// Serialization the way nats-server writes monitoring JSON: two-space indentation, "\n" line ends,
/// Go time and float notation, non-ASCII text unescaped (Go writes UTF-8) but HTML-sensitive
/// characters escaped. Types outside <see cref="MonitorJsonContext"/> (e.g. a future Routez model)
/// fall back to reflection, so new endpoints need no registration.
/// </summary>
public static class MonitorJson
{
    /// <summary>Pretty-printed, as nats-server's MarshalIndent.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>Compact, as nats-server's Marshal (used by /healthz).</summary>
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    public static byte[] Serialize<T>(T value, bool indented = true) =>
        JsonSerializer.SerializeToUtf8Bytes(value, indented ? Indented : Compact);

    public static T? Deserialize<T>(ReadOnlySpan<byte> utf8Json) => JsonSerializer.Deserialize<T>(utf8Json, Indented);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = indented,
            IndentSize = 2,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
            TypeInfoResolver = JsonTypeInfoResolver.Combine(MonitorJsonContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        options.Converters.Add(new GoTimeJsonConverter());
        options.Converters.Add(new GoFloatJsonConverter());
        options.MakeReadOnly();
        return options;
    }
}
