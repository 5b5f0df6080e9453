using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>The <c>gateway</c> block of <c>/varz</c> (monitor.go GatewayOptsVarz). Every field is omitted when empty, so a server without gateways shows <c>{}</c>.</summary>
public sealed class VarzGateway
{
    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonPropertyName("host")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Host { get; set; }

    [JsonPropertyName("port")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Port { get; set; }

    /// <summary>Seconds.</summary>
    [JsonPropertyName("auth_timeout")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double AuthTimeout { get; set; }

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

    [JsonPropertyName("advertise")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Advertise { get; set; }

    [JsonPropertyName("connect_retries")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ConnectRetries { get; set; }

    /// <summary>The configured remote clusters (not learned ones), each with every URL known for it.</summary>
    [JsonPropertyName("gateways")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<VarzRemoteGateway>? Gateways { get; set; }

    [JsonPropertyName("reject_unknown")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool RejectUnknown { get; set; }
}

/// <summary>One configured remote cluster in /varz (monitor.go RemoteGatewayOptsVarz).</summary>
public sealed class VarzRemoteGateway
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    /// <summary>host:port, without credentials.</summary>
    [JsonPropertyName("urls")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Urls { get; set; }
}
