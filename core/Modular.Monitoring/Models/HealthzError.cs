using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>One entry of <c>errors</c> in <c>/healthz?details=true</c>.</summary>
public sealed class HealthzError
{
    /// <summary>"CONNECTION" or "BAD_REQUEST" (nats-server's other kinds are about JetStream).</summary>
    [JsonPropertyName("type")]
    public string Type { get; set; } = "CONNECTION";

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; set; }
}
