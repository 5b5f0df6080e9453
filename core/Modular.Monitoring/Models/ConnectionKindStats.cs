using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>A counter split by connection kind: <c>slow_consumer_stats</c> and <c>stale_connection_stats</c> in <c>/varz</c>.</summary>
public sealed class ConnectionKindStats
{
    [JsonPropertyName("clients")]
    public long Clients { get; set; }

    [JsonPropertyName("routes")]
    public long Routes { get; set; }

    [JsonPropertyName("gateways")]
    public long Gateways { get; set; }

    [JsonPropertyName("leafs")]
    public long Leafs { get; set; }
}
