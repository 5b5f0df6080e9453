using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>One route connection in /routez.</summary>
public sealed class RouteInfoModel
{
    [JsonPropertyName("rid")]
    public ulong Rid { get; set; }

    [JsonPropertyName("remote_id")]
    public string RemoteId { get; set; } = "";

    [JsonPropertyName("remote_name")]
    public string RemoteName { get; set; } = "";

    [JsonPropertyName("did_solicit")]
    public bool DidSolicit { get; set; }

    [JsonPropertyName("is_configured")]
    public bool IsConfigured { get; set; }

    [JsonPropertyName("ip")]
    public string Ip { get; set; } = "";

    [JsonPropertyName("port")]
    public int Port { get; set; }

    [JsonPropertyName("start")]
    public DateTime Start { get; set; }

    [JsonPropertyName("last_activity")]
    public DateTime LastActivity { get; set; }

    [JsonPropertyName("rtt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Rtt { get; set; }

    /// <summary>The round trip as a number, for /metrics; not part of the JSON.</summary>
    [JsonIgnore]
    public TimeSpan? RttValue { get; set; }

    [JsonPropertyName("uptime")]
    public string Uptime { get; set; } = "";

    [JsonPropertyName("idle")]
    public string Idle { get; set; } = "";

    [JsonPropertyName("pending_size")]
    public long PendingSize { get; set; }

    [JsonPropertyName("in_msgs")]
    public long InMsgs { get; set; }

    [JsonPropertyName("out_msgs")]
    public long OutMsgs { get; set; }

    [JsonPropertyName("in_bytes")]
    public long InBytes { get; set; }

    [JsonPropertyName("out_bytes")]
    public long OutBytes { get; set; }

    [JsonPropertyName("subscriptions")]
    public int Subscriptions { get; set; }

    [JsonPropertyName("subscriptions_list")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? SubscriptionsList { get; set; }

    [JsonPropertyName("subscriptions_list_detail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<SubDetail>? SubscriptionsListDetail { get; set; }

    [JsonPropertyName("account")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Account { get; set; }

    [JsonPropertyName("compression")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Compression { get; set; }

    /// <summary>Route bytes before and after S2, this side's writer and reader (omitted on plain routes).</summary>
    [JsonPropertyName("compression_out_bytes_uncompressed")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long CompressionOutBytesUncompressed { get; set; }

    [JsonPropertyName("compression_out_bytes_compressed")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long CompressionOutBytesCompressed { get; set; }

    [JsonPropertyName("compression_in_bytes_compressed")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long CompressionInBytesCompressed { get; set; }

    [JsonPropertyName("compression_in_bytes_uncompressed")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long CompressionInBytesUncompressed { get; set; }

    /// <summary>
    /// Not nats-server's: where the peer's HTTP monitoring answers, as its route INFO said
    /// (<c>monitor_url</c>); omitted when the peer did not say (a nats-server peer, or no monitoring).
    /// <c>modular cluster check</c> follows it to find the whole cluster from one server.
    /// </summary>
    [JsonPropertyName("monitor_url")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MonitorUrl { get; set; }

    /// <summary>Times this connection was cut off as a slow consumer.</summary>
    [JsonPropertyName("slow_consumers")]
    public long SlowConsumers { get; set; }
}
