using System.Text.Json;
using System.Text.Json.Serialization;

namespace Modular.Core.Protocol;

/// <summary>
/// The JSON of a client CONNECT. A connection starts verbose, pedantic and echoing; CONNECT
/// overrides only the fields it carries (so <c>CONNECT {}</c> leaves verbose and pedantic on).
/// </summary>
public sealed class ConnectOptions
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        // Go's encoding/json matches field names case-insensitively; clients rely on it.
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    [JsonPropertyName("verbose")]
    public bool Verbose { get; set; } = true;

    [JsonPropertyName("pedantic")]
    public bool Pedantic { get; set; } = true;

    [JsonPropertyName("echo")]
    public bool Echo { get; set; } = true;

    [JsonPropertyName("headers")]
    public bool Headers { get; set; }

    [JsonPropertyName("no_responders")]
    public bool NoResponders { get; set; }

    [JsonPropertyName("tls_required")]
    public bool TlsRequired { get; set; }

    [JsonPropertyName("user")]
    public string? User { get; set; }

    [JsonPropertyName("pass")]
    public string? Password { get; set; }

    [JsonPropertyName("auth_token")]
    public string? AuthToken { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("lang")]
    public string? Lang { get; set; }

    [JsonPropertyName("version")]
    public string? Version { get; set; }

    [JsonPropertyName("protocol")]
    public int Protocol { get; set; }

    [JsonPropertyName("account")]
    public string? Account { get; set; }

    [JsonPropertyName("new_account")]
    public bool? NewAccount { get; set; }

    [JsonPropertyName("jwt")]
    public string? Jwt { get; set; }

    [JsonPropertyName("nkey")]
    public string? NKey { get; set; }

    [JsonPropertyName("sig")]
    public string? Signature { get; set; }

    /// <summary>Parses CONNECT JSON; null when it is not a JSON object.</summary>
    public static ConnectOptions? Parse(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return new ConnectOptions();
        }

        try
        {
            return JsonSerializer.Deserialize<ConnectOptions>(json, JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
