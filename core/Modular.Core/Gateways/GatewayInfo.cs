using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Modular.Core.Gateways;

/// <summary>
/// A gateway INFO as nats-server sends it (server.go Info, gateway fields). The first INFO on a
/// connection describes the server; later ones carry a command: 1 gossip of another gateway, 2 and
/// 3 the start and end of an account's switch to interest-only mode (the account in
/// <see cref="CommandPayload"/>, base64 on the wire as Go marshals a byte slice).
/// </summary>
public sealed class GatewayInfo
{
    public const byte CommandGossip = 1;
    public const byte CommandAllSubsStart = 2;
    public const byte CommandAllSubsComplete = 3;

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

    /// <summary>The cluster (gateway) name of the sender, or of the gossiped gateway.</summary>
    [JsonPropertyName("gateway")]
    public string? Gateway { get; set; }

    [JsonPropertyName("gateway_urls")]
    public List<string>? GatewayUrls { get; set; }

    [JsonPropertyName("gateway_cmd")]
    public byte Command { get; set; }

    [JsonPropertyName("gateway_cmd_payload")]
    public byte[]? CommandPayload { get; set; }

    /// <summary>Replies are rewritten with the <c>_GR_.</c> prefix (not the old <c>$GR.</c>).</summary>
    [JsonPropertyName("gateway_nrp")]
    public bool NewReplyPrefix { get; set; }

    /// <summary>Every account switches to interest-only mode at once: send nothing without interest.</summary>
    [JsonPropertyName("gateway_iom")]
    public bool InterestOnlyMode { get; set; }

    public static GatewayInfo? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<GatewayInfo>(json, JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The INFO line, CRLF included.</summary>
    public byte[] ToLine() => Encoding.UTF8.GetBytes("INFO " + JsonSerializer.Serialize(this, JsonOptions) + "\r\n");
}
