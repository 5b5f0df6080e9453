using System.Text.Json;
using Modular.Monitoring;

namespace Modular.Monitoring.Tests;

/// <summary>Serializes a monitoring model as the server would and exposes it as a JSON tree.</summary>
internal static class JsonAssert
{
    public static JsonElement Serialize<T>(T value)
    {
        byte[] bytes = MonitorJson.Serialize(value);
        using JsonDocument doc = JsonDocument.Parse(bytes);
        return doc.RootElement.Clone();
    }

    public static string Text<T>(T value) => System.Text.Encoding.UTF8.GetString(MonitorJson.Serialize(value));

    public static JsonElement Parse(byte[] body)
    {
        using JsonDocument doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    public static void HasExactly(JsonElement element, params string[] names)
    {
        string[] actual = element.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(names, actual);
    }

    public static void Lacks(JsonElement element, params string[] names)
    {
        foreach (string name in names)
        {
            Assert.False(element.TryGetProperty(name, out _), $"unexpected property '{name}'");
        }
    }
}
