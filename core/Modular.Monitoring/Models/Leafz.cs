using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>/leafz, as nats-server's Leafz (monitor.go).</summary>
public sealed class Leafz
{
    [JsonPropertyName("server_id")]
    public string ServerId { get; set; } = "";

    [JsonPropertyName("now")]
    public DateTime Now { get; set; }

    [JsonPropertyName("leafnodes")]
    public int NumLeafs { get; set; }

    [JsonPropertyName("leafs")]
    public List<LeafzInfo> Leafs { get; set; } = new();
}

/// <summary>One leaf node connection in /leafz (nats-server's LeafInfo).</summary>
public sealed class LeafzInfo
{
    /// <summary>The remote server's name.</summary>
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    /// <summary>True when this server dialed the connection (it is the spoke).</summary>
    [JsonPropertyName("is_spoke")]
    public bool IsSpoke { get; set; }

    [JsonPropertyName("account")]
    public string Account { get; set; } = "";

    [JsonPropertyName("ip")]
    public string Ip { get; set; } = "";

    [JsonPropertyName("port")]
    public int Port { get; set; }

    [JsonPropertyName("rtt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Rtt { get; set; }

    [JsonPropertyName("in_msgs")]
    public long InMsgs { get; set; }

    [JsonPropertyName("out_msgs")]
    public long OutMsgs { get; set; }

    [JsonPropertyName("in_bytes")]
    public long InBytes { get; set; }

    [JsonPropertyName("out_bytes")]
    public long OutBytes { get; set; }

    /// <summary>The remote's subscriptions held here.</summary>
    [JsonPropertyName("subscriptions")]
    public int Subscriptions { get; set; }

    [JsonPropertyName("subscriptions_list")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? SubscriptionsList { get; set; }
}

/// <summary>The <c>leaf</c> block of /varz (nats-server's LeafNodeOptsVarz): empty without <c>[leafnodes]</c>.</summary>
public sealed class VarzLeaf
{
    [JsonPropertyName("host")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Host { get; set; }

    [JsonPropertyName("port")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Port { get; set; }

    [JsonPropertyName("auth_timeout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double AuthTimeout { get; set; }

    [JsonPropertyName("remotes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<VarzLeafRemote>? Remotes { get; set; }
}

/// <summary>One configured remote in /varz <c>leaf.remotes</c>.</summary>
public sealed class VarzLeafRemote
{
    [JsonPropertyName("local_account")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LocalAccount { get; set; }

    [JsonPropertyName("urls")]
    public List<string> Urls { get; set; } = new();
}
