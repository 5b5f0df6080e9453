using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>The <c>account_detail</c> of <c>/accountz?acc=NAME</c>.</summary>
public sealed class AccountInfo
{
    [JsonPropertyName("account_name")]
    public string AccountName { get; set; } = "";

    [JsonPropertyName("update_time")]
    public DateTime UpdateTime { get; set; }

    /// <summary>Omitted when false, as nats-server does.</summary>
    [JsonPropertyName("is_system")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsSystem { get; set; }

    [JsonPropertyName("expired")]
    public bool Expired { get; set; }

    [JsonPropertyName("complete")]
    public bool Complete { get; set; }

    [JsonPropertyName("jetstream_enabled")]
    public bool JetStreamEnabled { get; set; }

    [JsonPropertyName("leafnode_connections")]
    public int LeafnodeConnections { get; set; }

    [JsonPropertyName("client_connections")]
    public int ClientConnections { get; set; }

    [JsonPropertyName("subscriptions")]
    public long Subscriptions { get; set; }

    [JsonPropertyName("sublist_stats")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SublistStats? SublistStats { get; set; }
}
