using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Modular.Core.Routes;

/// <summary>
/// A route INFO, as sent and as received (protocol.md §2.3). Fields that nats-server omits when
/// empty are omitted here too; unknown fields from peers are kept in <see cref="Extra"/> so a
/// gossiped INFO can be forwarded as received.
/// </summary>
public sealed class RouteInfo
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    [JsonPropertyName("server_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string ServerId { get; set; } = "";

    [JsonPropertyName("server_name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string ServerName { get; set; } = "";

    [JsonPropertyName("version")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Version { get; set; } = "";

    [JsonPropertyName("proto")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int Proto { get; set; }

    [JsonPropertyName("go")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Go { get; set; } = "";

    [JsonPropertyName("host")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Host { get; set; } = "";

    [JsonPropertyName("port")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int Port { get; set; }

    [JsonPropertyName("ip")]
    public string? Ip { get; set; }

    [JsonPropertyName("headers")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool Headers { get; set; }

    [JsonPropertyName("auth_required")]
    public bool AuthRequired { get; set; }

    [JsonPropertyName("tls_required")]
    public bool TlsRequired { get; set; }

    [JsonPropertyName("tls_verify")]
    public bool TlsVerify { get; set; }

    [JsonPropertyName("max_payload")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long MaxPayload { get; set; }

    [JsonPropertyName("nonce")]
    public string? Nonce { get; set; }

    [JsonPropertyName("cluster")]
    public string? Cluster { get; set; }

    [JsonPropertyName("cluster_dynamic")]
    public bool ClusterDynamic { get; set; }

    [JsonPropertyName("connect_urls")]
    public List<string>? ConnectUrls { get; set; }

    [JsonPropertyName("ldm")]
    public bool LameDuckMode { get; set; }

    [JsonPropertyName("compression")]
    public string? Compression { get; set; }

    /// <summary>The sender's leaf URL (one at most on a route): the hub tells its leaf nodes of every server's.</summary>
    [JsonPropertyName("leafnode_urls")]
    public List<string>? LeafnodeUrls { get; set; }

    [JsonPropertyName("lnoc")]
    public bool Lnoc { get; set; }

    [JsonPropertyName("lnocu")]
    public bool Lnocu { get; set; }

    [JsonPropertyName("route_pool_size")]
    public int RoutePoolSize { get; set; }

    [JsonPropertyName("route_pool_idx")]
    public int RoutePoolIndex { get; set; }

    [JsonPropertyName("route_account")]
    public string? RouteAccount { get; set; }

    [JsonPropertyName("route_acc_add_reqid")]
    public string? RouteAccountAddRequestId { get; set; }

    /// <summary>The sender's gateway URL (host:port): a cluster's gateway INFO lists all its servers' (nats-server route.go).</summary>
    [JsonPropertyName("gateway_url")]
    public string? GatewayUrl { get; set; }

    [JsonPropertyName("gossip_mode")]
    public int GossipMode { get; set; }

    /// <summary>
    /// Modular's own field: where this server's HTTP monitoring answers (<c>http://HOST:PORT</c>), so
    /// <c>modular cluster check</c> can find every server from one of them. nats-server reads INFO
    /// with a plain json.Unmarshal, which skips fields it does not know, and never sends it.
    /// </summary>
    [JsonPropertyName("monitor_url")]
    public string? MonitorUrl { get; set; }

    /// <summary>Fields we do not model (gateway, leafnode, import/export…), kept for forwarding.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    public static RouteInfo? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<RouteInfo>(json, JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public RouteInfo Clone() => JsonSerializer.Deserialize<RouteInfo>(JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions), JsonOptions)!;

    /// <summary>The whole <c>INFO {...}\r\n</c> line.</summary>
    public byte[] ToLine()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions);
        var line = new byte[5 + json.Length + 2];
        "INFO "u8.CopyTo(line);
        json.CopyTo(line.AsSpan(5));
        line[^2] = (byte)'\r';
        line[^1] = (byte)'\n';
        return line;
    }
}
