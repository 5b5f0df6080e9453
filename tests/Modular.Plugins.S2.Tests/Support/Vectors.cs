using System.Text.Json;
using System.Text.Json.Serialization;

namespace Modular.Plugins.S2.Tests.Support;

/// <summary>One golden vector from TestData/s2/vectors.json (made by the reference Go encoder).</summary>
public sealed record Vector(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("encoder")] string Encoder,
    [property: JsonPropertyName("raw")] string Raw,
    [property: JsonPropertyName("compressed")] string Compressed,
    [property: JsonPropertyName("raw_len")] int RawLength,
    [property: JsonPropertyName("flushes")] int? Flushes)
{
    public override string ToString() => Name;
}

public static class Vectors
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "TestData", "s2");

    private static readonly Lazy<IReadOnlyList<Vector>> All = new(() =>
        JsonSerializer.Deserialize<List<Vector>>(File.ReadAllText(Path.Combine(Directory, "vectors.json")))
        ?? throw new InvalidOperationException("vectors.json is empty"));

    public static IReadOnlyList<Vector> List => All.Value;

    public static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Directory, file));

    /// <summary>The raw inputs the vectors were made from, by file name.</summary>
    public static IEnumerable<string> RawFiles => List.Select(v => v.Raw).Distinct().Order(StringComparer.Ordinal);

    public static TheoryData<string> Names(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var vector in List.Where(v => v.Kind == kind))
        {
            data.Add(vector.Name);
        }

        return data;
    }

    public static Vector Get(string name) => List.Single(v => v.Name == name);
}
