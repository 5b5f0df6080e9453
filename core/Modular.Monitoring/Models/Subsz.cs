using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>The <c>/subsz</c> document: index counters over the selected accounts, and optionally local subscriptions.</summary>
public sealed class Subsz
{
    [JsonPropertyName("server_id")]
    public string ServerId { get; set; } = "";

    [JsonPropertyName("now")]
    public DateTime Now { get; set; }

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

    /// <summary>Matching local subscriptions before paging; 0 unless <c>subs=1</c>.</summary>
    [JsonPropertyName("total")]
    public int Total { get; set; }

    [JsonPropertyName("offset")]
    public int Offset { get; set; }

    [JsonPropertyName("limit")]
    public int Limit { get; set; }

    /// <summary>With <c>subs=1</c>, omitted when empty.</summary>
    [JsonPropertyName("subscriptions_list")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<SubDetail>? SubscriptionsList { get; set; }
}
