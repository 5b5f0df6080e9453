using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>The <c>/connz</c> document: one page of client connections.</summary>
public sealed class Connz
{
    [JsonPropertyName("server_id")]
    public string ServerId { get; set; } = "";

    [JsonPropertyName("now")]
    public DateTime Now { get; set; }

    /// <summary>Connections on this page.</summary>
    [JsonPropertyName("num_connections")]
    public int NumConnections { get; set; }

    /// <summary>Connections in the selected state (and account), before paging.</summary>
    [JsonPropertyName("total")]
    public int Total { get; set; }

    [JsonPropertyName("offset")]
    public int Offset { get; set; }

    [JsonPropertyName("limit")]
    public int Limit { get; set; }

    [JsonPropertyName("connections")]
    public List<ConnInfo> Connections { get; set; } = new();
}
