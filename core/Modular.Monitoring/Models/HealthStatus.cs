using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>The <c>/healthz</c> document: <c>{"status":"ok"}</c>, or <c>status</c> "error" with <c>error</c> (or <c>errors</c> with <c>details=true</c>).</summary>
public sealed class HealthStatus
{
    [JsonPropertyName("status")]
    public string Status { get; set; } = "ok";

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; set; }

    [JsonPropertyName("errors")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<HealthzError>? Errors { get; set; }
}
