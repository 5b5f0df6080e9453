using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Modular.Core.Leafnodes;

/// <summary>
/// The INFO the accepting side of a leaf node connection sends (nats-server server.go Info, leaf
/// fields). A soliciting nats-server takes an INFO without <c>client_id</c> or <c>leafnode_urls</c>
/// for a wrong port, so both are always set.
/// </summary>
public sealed class LeafInfo
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    [JsonPropertyName("server_id")]
    public string? ServerId { get; set; }

    [JsonPropertyName("server_name")]
    public string? ServerName { get; set; }

    [JsonPropertyName("version")]
    public string? Version { get; set; }

    [JsonPropertyName("proto")]
    public int Proto { get; set; }

    [JsonPropertyName("go")]
    public string? Go { get; set; }

    [JsonPropertyName("host")]
    public string? Host { get; set; }

    [JsonPropertyName("port")]
    public int Port { get; set; }

    [JsonPropertyName("headers")]
    public bool Headers { get; set; }

    [JsonPropertyName("auth_required")]
    public bool AuthRequired { get; set; }

    [JsonPropertyName("tls_required")]
    public bool TlsRequired { get; set; }

    [JsonPropertyName("max_payload")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int MaxPayload { get; set; }

    [JsonPropertyName("client_id")]
    public ulong ClientId { get; set; }

    [JsonPropertyName("nonce")]
    public string? Nonce { get; set; }

    /// <summary>The sender's cluster name; a leaf of the same cluster is refused.</summary>
    [JsonPropertyName("cluster")]
    public string? Cluster { get; set; }

    [JsonPropertyName("domain")]
    public string? Domain { get; set; }

    /// <summary>Where the sender's cluster accepts leaf nodes (host:port): the soliciting side fails over to them.</summary>
    [JsonPropertyName("leafnode_urls")]
    public List<string>? LeafnodeUrls { get; set; }

    /// <summary>The account the accepting side bound the connection to (in the INFO that answers CONNECT).</summary>
    [JsonPropertyName("remote_account")]
    public string? RemoteAccount { get; set; }

    /// <summary>True on the INFO that answers a CONNECT.</summary>
    [JsonPropertyName("connect_info")]
    public bool ConnectInfo { get; set; }

    public static LeafInfo? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<LeafInfo>(json, JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The INFO line, CRLF included.</summary>
    public byte[] ToLine() => Encoding.UTF8.GetBytes("INFO " + JsonSerializer.Serialize(this, JsonOptions) + "\r\n");
}
