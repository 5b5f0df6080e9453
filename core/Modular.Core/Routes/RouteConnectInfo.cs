using System.Text.Json;
using System.Text.Json.Serialization;

namespace Modular.Core.Routes;

/// <summary>The CONNECT a soliciting server sends on a route (protocol.md §2.2).</summary>
public sealed class RouteConnectInfo
{
    [JsonPropertyName("echo")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool Echo { get; set; } = true;

    [JsonPropertyName("verbose")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool Verbose { get; set; }

    [JsonPropertyName("pedantic")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool Pedantic { get; set; }

    [JsonPropertyName("user")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? User { get; set; }

    [JsonPropertyName("pass")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Password { get; set; }

    [JsonPropertyName("tls_required")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool TlsRequired { get; set; }

    [JsonPropertyName("headers")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public bool Headers { get; set; } = true;

    /// <summary>The sender's server_id.</summary>
    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Name { get; set; } = "";

    [JsonPropertyName("cluster")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string Cluster { get; set; } = "";

    [JsonPropertyName("cluster_dynamic")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ClusterDynamic { get; set; }

    [JsonPropertyName("lnoc")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Lnoc { get; set; }

    /// <summary>Set by a client that dialed the route port by mistake.</summary>
    [JsonPropertyName("lang")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Lang { get; set; }

    /// <summary>Set by a gateway that dialed the route port by mistake.</summary>
    [JsonPropertyName("gateway")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Gateway { get; set; }

    public static RouteConnectInfo? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<RouteConnectInfo>(json, RouteInfo.JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public byte[] ToLine()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, RouteInfo.JsonOptions);
        var line = new byte[8 + json.Length + 2];
        "CONNECT "u8.CopyTo(line);
        json.CopyTo(line.AsSpan(8));
        line[^2] = (byte)'\r';
        line[^1] = (byte)'\n';
        return line;
    }
}
