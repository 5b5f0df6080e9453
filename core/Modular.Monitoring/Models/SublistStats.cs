using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>Subject index counters (nats-server's sublist stats), inlined in <c>/subsz</c> and nested in <c>/accountz</c>.</summary>
public sealed class SublistStats
{
    [JsonPropertyName("num_subscriptions")]
    public long NumSubscriptions { get; set; }

    [JsonPropertyName("num_cache")]
    public long NumCache { get; set; }

    [JsonPropertyName("num_inserts")]
    public long NumInserts { get; set; }

    [JsonPropertyName("num_removes")]
    public long NumRemoves { get; set; }

    [JsonPropertyName("num_matches")]
    public long NumMatches { get; set; }

    [JsonPropertyName("cache_hit_rate")]
    public double CacheHitRate { get; set; }

    [JsonPropertyName("max_fanout")]
    public long MaxFanout { get; set; }

    [JsonPropertyName("avg_fanout")]
    public double AvgFanout { get; set; }
}
