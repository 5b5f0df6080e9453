using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>One subscription in <c>/subsz?subs=1</c>, <c>/connz?subs=detail</c> and (later) <c>/routez?subs=detail</c>.</summary>
public sealed class SubDetail
{
    [JsonPropertyName("account")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Account { get; set; }

    [JsonPropertyName("subject")]
    public string Subject { get; set; } = "";

    [JsonPropertyName("qgroup")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Queue { get; set; }

    [JsonPropertyName("sid")]
    public string Sid { get; set; } = "";

    /// <summary>Messages delivered so far.</summary>
    [JsonPropertyName("msgs")]
    public long Msgs { get; set; }

    /// <summary>Auto-unsubscribe limit; omitted when there is none.</summary>
    [JsonPropertyName("max")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Max { get; set; }

    [JsonPropertyName("cid")]
    public ulong Cid { get; set; }
}
