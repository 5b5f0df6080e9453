using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Modular.Core.Leafnodes;

/// <summary>
/// The CONNECT the soliciting side of a leaf node connection sends (nats-server leafnode.go
/// leafConnectInfo); the accepting side gets no INFO from it, so everything it learns is here.
/// </summary>
public sealed class LeafConnectInfo
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    [JsonPropertyName("version")]
    public string? Version { get; set; }

    [JsonPropertyName("user")]
    public string? User { get; set; }

    [JsonPropertyName("pass")]
    public string? Password { get; set; }

    [JsonPropertyName("auth_token")]
    public string? Token { get; set; }

    [JsonPropertyName("jwt")]
    public string? Jwt { get; set; }

    /// <summary>A bare nkey login's public user key (U...).</summary>
    [JsonPropertyName("nkey")]
    public string? Nkey { get; set; }

    /// <summary>The INFO's nonce signed with the user's seed, base64url without padding.</summary>
    [JsonPropertyName("sig")]
    public string? Signature { get; set; }

    [JsonPropertyName("server_id")]
    public string? ServerId { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>The soliciting side declares itself the hub: the accepting side is then the spoke.</summary>
    [JsonPropertyName("is_hub")]
    public bool IsHub { get; set; }

    [JsonPropertyName("cluster")]
    public string? Cluster { get; set; }

    [JsonPropertyName("headers")]
    public bool Headers { get; set; }

    [JsonPropertyName("deny_pub")]
    public List<string>? DenyPub { get; set; }

    [JsonPropertyName("compress_mode")]
    public string? CompressMode { get; set; }

    /// <summary>Set by a gateway that dialed the leaf port by mistake.</summary>
    [JsonPropertyName("gateway")]
    public string? Gateway { get; set; }

    /// <summary>The account the soliciting side binds its end to (informational for the accepting side).</summary>
    [JsonPropertyName("remote_account")]
    public string? RemoteAccount { get; set; }

    [JsonPropertyName("protocol")]
    public int Protocol { get; set; }

    /// <summary>Set by a client (a leaf node never sends it): a client dialed the leaf port.</summary>
    [JsonPropertyName("lang")]
    public string? Lang { get; set; }

    public static LeafConnectInfo? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<LeafConnectInfo>(json, JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The CONNECT line, CRLF included.</summary>
    public byte[] ToLine() => Encoding.UTF8.GetBytes("CONNECT " + JsonSerializer.Serialize(this, JsonOptions) + "\r\n");
}
