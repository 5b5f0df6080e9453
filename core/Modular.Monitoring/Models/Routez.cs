using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>The /routez document, with nats-server's field names.</summary>
public sealed class Routez
{
    [JsonPropertyName("server_id")]
    public string ServerId { get; set; } = "";

    [JsonPropertyName("server_name")]
    public string ServerName { get; set; } = "";

    [JsonPropertyName("now")]
    public DateTime Now { get; set; }

    [JsonPropertyName("num_routes")]
    public int NumRoutes { get; set; }

    [JsonPropertyName("routes")]
    public List<RouteInfoModel> Routes { get; set; } = new();
}
