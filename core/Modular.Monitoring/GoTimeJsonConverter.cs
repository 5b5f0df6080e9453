using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Modular.Monitoring;

/// <summary>Writes a <see cref="DateTime"/> the way Go's <c>time.Time</c> marshals (see <see cref="GoFormat.Time"/>).</summary>
public sealed class GoTimeJsonConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? text = reader.GetString();
        return text is null
            ? default
            : DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(GoFormat.Time(value));
}
