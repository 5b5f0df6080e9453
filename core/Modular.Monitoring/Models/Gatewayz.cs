using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>The /gatewayz document, with nats-server's field names (monitor.go Gatewayz).</summary>
public sealed class Gatewayz
{
    [JsonPropertyName("server_id")]
    public string ServerId { get; set; } = "";

    [JsonPropertyName("now")]
    public DateTime Now { get; set; }

    /// <summary>This cluster's gateway name; absent without gateways.</summary>
    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonPropertyName("host")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Host { get; set; }

    [JsonPropertyName("port")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Port { get; set; }

    /// <summary>One outbound connection per remote cluster, by its name.</summary>
    [JsonPropertyName("outbound_gateways")]
    public SortedDictionary<string, RemoteGatewayz> OutboundGateways { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The inbound connections, by the remote cluster's name.</summary>
    [JsonPropertyName("inbound_gateways")]
    public SortedDictionary<string, List<RemoteGatewayz>> InboundGateways { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One gateway connection in /gatewayz.</summary>
public sealed class RemoteGatewayz
{
    /// <summary>The cluster is in this server's <c>gateways</c> list (not learned).</summary>
    [JsonPropertyName("configured")]
    public bool IsConfigured { get; set; }

    [JsonPropertyName("connection")]
    public ConnInfo Connection { get; set; } = new();
}
