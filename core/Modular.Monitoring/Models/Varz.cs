using System.Text.Json.Serialization;

namespace Modular.Monitoring.Models;

/// <summary>The <c>/varz</c> document: identity, limits, runtime and traffic counters, as nats-server names them.</summary>
public sealed class Varz
{
    [JsonPropertyName("server_id")]
    public string ServerId { get; set; } = "";

    [JsonPropertyName("server_name")]
    public string ServerName { get; set; } = "";

    [JsonPropertyName("version")]
    public string Version { get; set; } = "";

    [JsonPropertyName("proto")]
    public int Proto { get; set; }

    [JsonPropertyName("git_commit")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? GitCommit { get; set; }

    /// <summary>nats-server puts its Go version here; Modular puts "modular/.NET &lt;runtime version&gt;".</summary>
    [JsonPropertyName("go")]
    public string Go { get; set; } = "";

    [JsonPropertyName("host")]
    public string Host { get; set; } = "";

    [JsonPropertyName("port")]
    public int Port { get; set; }

    [JsonPropertyName("auth_required")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AuthRequired { get; set; }

    [JsonPropertyName("tls_required")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool TlsRequired { get; set; }

    [JsonPropertyName("tls_verify")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool TlsVerify { get; set; }

    [JsonPropertyName("max_connections")]
    public int MaxConnections { get; set; }

    [JsonPropertyName("max_subscriptions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int MaxSubscriptions { get; set; }

    /// <summary>Nanoseconds, as Go marshals a <c>time.Duration</c>.</summary>
    [JsonPropertyName("ping_interval")]
    public long PingInterval { get; set; }

    [JsonPropertyName("ping_max")]
    public int PingMax { get; set; }

    [JsonPropertyName("http_host")]
    public string HttpHost { get; set; } = "";

    [JsonPropertyName("http_port")]
    public int HttpPort { get; set; }

    [JsonPropertyName("http_base_path")]
    public string HttpBasePath { get; set; } = "";

    [JsonPropertyName("https_port")]
    public int HttpsPort { get; set; }

    /// <summary>Seconds.</summary>
    [JsonPropertyName("auth_timeout")]
    public double AuthTimeout { get; set; }

    [JsonPropertyName("max_control_line")]
    public int MaxControlLine { get; set; }

    [JsonPropertyName("max_payload")]
    public int MaxPayload { get; set; }

    [JsonPropertyName("max_pending")]
    public long MaxPending { get; set; }

    [JsonPropertyName("cluster")]
    public VarzCluster Cluster { get; set; } = new();

    [JsonPropertyName("gateway")]
    public VarzGateway Gateway { get; set; } = new();

    [JsonPropertyName("leaf")]
    public VarzLeaf Leaf { get; set; } = new();

    [JsonPropertyName("mqtt")]
    public EmptyBlock Mqtt { get; set; } = new();

    [JsonPropertyName("websocket")]
    public EmptyBlock Websocket { get; set; } = new();

    [JsonPropertyName("jetstream")]
    public EmptyBlock JetStream { get; set; } = new();

    /// <summary>Seconds.</summary>
    [JsonPropertyName("tls_timeout")]
    public double TlsTimeout { get; set; }

    /// <summary>Nanoseconds.</summary>
    [JsonPropertyName("write_deadline")]
    public long WriteDeadline { get; set; }

    [JsonPropertyName("start")]
    public DateTime Start { get; set; }

    [JsonPropertyName("now")]
    public DateTime Now { get; set; }

    [JsonPropertyName("uptime")]
    public string Uptime { get; set; } = "";

    /// <summary>Resident memory (the process working set), bytes.</summary>
    [JsonPropertyName("mem")]
    public long Mem { get; set; }

    [JsonPropertyName("cores")]
    public int Cores { get; set; }

    [JsonPropertyName("gomaxprocs")]
    public int MaxProcs { get; set; }

    /// <summary>Process CPU use in percent of one core, averaged since the previous sample.</summary>
    [JsonPropertyName("cpu")]
    public double Cpu { get; set; }

    [JsonPropertyName("connections")]
    public int Connections { get; set; }

    [JsonPropertyName("total_connections")]
    public long TotalConnections { get; set; }

    [JsonPropertyName("routes")]
    public int Routes { get; set; }

    [JsonPropertyName("remotes")]
    public int Remotes { get; set; }

    [JsonPropertyName("leafnodes")]
    public int Leafnodes { get; set; }

    [JsonPropertyName("in_msgs")]
    public long InMsgs { get; set; }

    [JsonPropertyName("out_msgs")]
    public long OutMsgs { get; set; }

    [JsonPropertyName("in_bytes")]
    public long InBytes { get; set; }

    [JsonPropertyName("out_bytes")]
    public long OutBytes { get; set; }

    [JsonPropertyName("slow_consumers")]
    public long SlowConsumers { get; set; }

    [JsonPropertyName("stale_connections")]
    public long StaleConnections { get; set; }

    /// <summary>Times a producer waited for a stalled connection it fed (nats-server counts the same).</summary>
    [JsonPropertyName("stalled_clients")]
    public long StalledClients { get; set; }

    [JsonPropertyName("subscriptions")]
    public long Subscriptions { get; set; }

    /// <summary>Requests served per monitoring path, keys sorted as Go sorts map keys.</summary>
    [JsonPropertyName("http_req_stats")]
    public SortedDictionary<string, long> HttpReqStats { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("config_load_time")]
    public DateTime ConfigLoadTime { get; set; }

    [JsonPropertyName("system_account")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SystemAccount { get; set; }

    [JsonPropertyName("slow_consumer_stats")]
    public ConnectionKindStats SlowConsumerStats { get; set; } = new();

    [JsonPropertyName("stale_connection_stats")]
    public ConnectionKindStats StaleConnectionStats { get; set; } = new();
}
