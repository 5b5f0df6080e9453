using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>The <c>cluster</c> block of <c>/varz</c>. Every field is omitted when empty, so a server without a cluster shows <c>{}</c>.</summary>
public sealed class VarzCluster
{
    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonPropertyName("addr")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Addr { get; set; }

    [JsonPropertyName("cluster_port")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ClusterPort { get; set; }

    /// <summary>Seconds.</summary>
    [JsonPropertyName("auth_timeout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double AuthTimeout { get; set; }

    /// <summary>The <c>host:port</c> of each configured route URL.</summary>
    [JsonPropertyName("urls")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Urls { get; set; }

    /// <summary>Seconds.</summary>
    [JsonPropertyName("tls_timeout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double TlsTimeout { get; set; }

    [JsonPropertyName("tls_required")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool TlsRequired { get; set; }

    [JsonPropertyName("tls_verify")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool TlsVerify { get; set; }

    [JsonPropertyName("pool_size")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int PoolSize { get; set; }

    /// <summary>Nanoseconds.</summary>
    [JsonPropertyName("write_deadline")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long WriteDeadline { get; set; }
}
