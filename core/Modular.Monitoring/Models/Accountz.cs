using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>The <c>/accountz</c> document: account names, or one account's detail with <c>?acc=</c>.</summary>
public sealed class Accountz
{
    [JsonPropertyName("server_id")]
    public string ServerId { get; set; } = "";

    [JsonPropertyName("now")]
    public DateTime Now { get; set; }

    [JsonPropertyName("system_account")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SystemAccount { get; set; }

    [JsonPropertyName("accounts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Accounts { get; set; }

    [JsonPropertyName("account_detail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AccountInfo? AccountDetail { get; set; }
}
