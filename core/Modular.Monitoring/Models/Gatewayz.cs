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

    /// <summary>One outbound connection per remote cluster, by its name; null (as nats-server) when <c>gw_name</c> names a cluster not connected.</summary>
    [JsonPropertyName("outbound_gateways")]
    public SortedDictionary<string, RemoteGatewayz>? OutboundGateways { get; set; } = new(StringComparer.Ordinal);

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

    /// <summary>Each account's mode on this connection (<c>accs=1</c> or <c>acc_name=</c>); absent otherwise.</summary>
    [JsonPropertyName("accounts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<AccountGatewayz>? Accounts { get; set; }
}

/// <summary>One account on a gateway connection (monitor.go AccountGatewayz).</summary>
public sealed class AccountGatewayz
{
    /// <summary>Accounts switch to interest-only after this many RS- in optimistic mode (nats-server's gatewayMaxRUnsubBeforeSwitch).</summary>
    public const int InterestOnlyThresholdDefault = 1000;

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    /// <summary>"Optimistic", "Transitioning" or "Interest-Only": always the last for Modular.</summary>
    [JsonPropertyName("interest_mode")]
    public string InterestMode { get; set; } = "Interest-Only";

    [JsonPropertyName("no_interest_count")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int NoInterestCount { get; set; }

    [JsonPropertyName("interest_only_threshold")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int InterestOnlyThreshold { get; set; } = InterestOnlyThresholdDefault;

    /// <summary>The remote cluster's subscriptions in the account (outbound connections), queue ones included.</summary>
    [JsonPropertyName("num_subs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int NumSubs { get; set; }

    [JsonPropertyName("num_queue_subs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int NumQueueSubs { get; set; }

    [JsonPropertyName("subscriptions_list")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Subscriptions { get; set; }

    [JsonPropertyName("subscriptions_list_detail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<SubDetail>? SubscriptionsDetail { get; set; }
}
