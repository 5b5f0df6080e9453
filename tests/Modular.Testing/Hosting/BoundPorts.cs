using System.Text.Json;

namespace Modular.Testing;

/// <summary>The ports a server really listens on (client always; monitoring and cluster when configured).</summary>
public sealed record BoundPorts(int Client, int? Monitor, int? Cluster)
{
    /// <summary>Reads nats-server's ports file JSON: <c>{"nats":["nats://h:p"],"monitoring":["http://h:p"],"cluster":["nats://h:p"]}</c>.</summary>
    public static BoundPorts? FromPortsFile(JsonElement root)
    {
        var client = PortOf(root, "nats");
        return client is { } port ? new BoundPorts(port, PortOf(root, "monitoring"), PortOf(root, "cluster")) : null;
    }

    private static int? PortOf(JsonElement root, string key) =>
        root.TryGetProperty(key, out var urls) && urls.ValueKind == JsonValueKind.Array && urls.GetArrayLength() > 0
            && Uri.TryCreate(urls[0].GetString(), UriKind.Absolute, out var uri)
            ? uri.Port
            : null;
}
