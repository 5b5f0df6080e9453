namespace Modular.Core.Config;

/// <summary>
/// The <c>[monitor]</c> table: where HTTP monitoring listens (or nowhere), who may read it, and
/// under which path. Served by Modular.Monitoring beside the engine, never by the engine itself.
/// </summary>
public sealed class MonitorOptions
{
    /// <summary>Null turns monitoring off.</summary>
    public string? Host { get; set; }

    public int Port { get; set; }

    public bool Enabled => Host is not null;

    /// <summary><c>token</c>: when set, every request must carry <c>Authorization: Bearer &lt;token&gt;</c> (or basic auth, if configured).</summary>
    public string? Token { get; set; }

    /// <summary><c>user</c> and <c>password</c>: HTTP basic auth; both or neither.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary><c>base_path</c>: a prefix for every endpoint ("/nats" serves "/nats/varz"); "" is the root.</summary>
    public string BasePath { get; set; } = "";

    /// <summary><c>[monitor.tls] cert_file</c>: HTTPS with this PEM certificate; null is plain HTTP.</summary>
    public string? TlsCertFile { get; set; }

    /// <summary><c>[monitor.tls] key_file</c>: the PEM private key of <see cref="TlsCertFile"/>.</summary>
    public string? TlsKeyFile { get; set; }

    public bool TlsEnabled => TlsCertFile is not null;
}
