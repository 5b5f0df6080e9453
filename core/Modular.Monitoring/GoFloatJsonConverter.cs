using System.Text.Json;
using System.Text.Json.Serialization;

namespace Modular.Monitoring;

/// <summary>Writes a <see cref="double"/> in Go's encoding/json notation (see <see cref="GoFormat.Float"/>).</summary>
public sealed class GoFloatJsonConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) =>
        writer.WriteRawValue(GoFormat.Float(value), skipInputValidation: true);
}
