using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Plugins;
using Modular.Abstractions.Transport;
using Modular.Plugins.Tls;

[assembly: ModularPlugin("tls", typeof(TlsPlugin), ModularSeam.Transport)]

namespace Modular.Plugins.Tls;

/// <summary>
/// TLS for routes ([cluster.tls]: from the first byte, the dialer is the TLS client) and for clients
/// ([server.tls]: after the plaintext INFO, or first with handshake_first). TLS 1.2 or later; with
/// verify, both sides present certificates and check them against ca_file. Certificate files that
/// change on disk are read again for the next handshake; if the new ones are bad, the old ones stay.
/// </summary>
public sealed class TlsPlugin : IModularPlugin, IConnectionWrapper
{
    private const int BufferSize = 64 * 1024;
    private static readonly TimeSpan StatEvery = TimeSpan.FromSeconds(1);

    private readonly object _reloadLock = new();
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private TlsSettings? _settings;
    private CertificateMaterial? _material;
    private RouteServerNames? _serverNames;
    private string _table = "";
    private long _nextStatTicks;
    private FileStamp _rejectedStamp;

    internal CertificateMaterial? Material => Volatile.Read(ref _material);

    /// <summary>[server.tls] handshake_first = true: the client's handshake comes before INFO, which then goes out encrypted.</summary>
    public ClientUpgradeTiming ClientUpgrade => _settings?.HandshakeFirst == true ? ClientUpgradeTiming.BeforeInfo : ClientUpgradeTiming.AfterInfo;

    public bool RequiresTls => true;

    public void Configure(PluginContext context)
    {
        _logger = context.Logger;
        _table = context.TableName;
        var settings = TlsSettings.Bind(context);
        _settings = settings;
        // A leaf remote's hub is checked against the remote URL's host (or server_name), never a route's.
        _serverNames = new RouteServerNames(settings.ServerName, settings.IsLeaf ? [] : context.ClusterRoutes);
        if (settings.CertFile.Length == 0 || settings.KeyFile.Length == 0)
        {
            return; // already reported as missing
        }

        var problems = new List<(string Key, string Message)>();
        _material = CertificateMaterial.Load(settings, problems, DateTimeOffset.UtcNow);
        foreach (var (key, message) in problems)
        {
            context.Settings.AddError(key, message);
        }
    }

    /// <summary>A route added by a reload is checked against its own host name, not the old list's.</summary>
    public void OnClusterRoutesChanged(IReadOnlyList<Uri> routes)
    {
        if (_settings is { } settings)
        {
            Volatile.Write(ref _serverNames, new RouteServerNames(settings.ServerName, settings.IsLeaf ? [] : routes));
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_settings is { } settings && _material is { } material)
        {
            _logger.LogInformation(
                "TLS for [{table}]: certificate {subject} valid until {notAfter:yyyy-MM-dd}, trusting {trust}, verify {verify}",
                _table, material.Certificate.Subject, material.Certificate.NotAfter.ToUniversalTime(), settings.CaFile ?? "the system's CAs", settings.Verify);
            if (!settings.Verify)
            {
                _logger.LogWarning(
                    settings.IsRoute
                        ? "[{table}] verify = false: route peers' certificates are not checked, so any server that speaks TLS can join the cluster"
                        : settings.IsLeaf ? "[{table}] verify = false: leaf nodes are not asked for certificates (a leaf still checks its hub's)"
                        : "[{table}] verify = false: clients are not asked for certificates",
                    _table);
            }

            if (settings.Insecure)
            {
                _logger.LogWarning("[{table}] insecure = true: routes this server dials do not check the peer's certificate", _table);
            }
        }

        return Task.CompletedTask;
    }

    public async ValueTask WrapAsync(ModularConnection connection, ConnectionKind kind, ConnectionRole role, CancellationToken cancellationToken = default)
    {
        var settings = _settings ?? throw new InvalidOperationException("the tls plugin is not configured");
        var material = CurrentMaterial(settings);
        var verdict = new PeerVerdict();
        // The connection closes its own transport; a failed handshake only disposes the SSL stream.
        var ssl = new SslStream(new DuplexPipeStream(connection.Transport), leaveInnerStreamOpen: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        var what = kind switch { ConnectionKind.Route => "route", ConnectionKind.Leafnode => "leafnode", _ => "client" };
        string? targetHost = null;
        try
        {
            if (role == ConnectionRole.Dialed)
            {
                targetHost = Volatile.Read(ref _serverNames)!.For(connection.Features.Get<DialedUrl>());
                // A leaf node checks its hub's certificate whatever verify says (verify asks the accepting side for the leaf's), as nats-server.
                var verifyServer = (settings.Verify || settings.IsLeaf) && !settings.Insecure;
                var options = new SslClientAuthenticationOptions
                {
                    TargetHost = targetHost,
                    EnabledSslProtocols = settings.Protocols,
                    ClientCertificateContext = material.Context,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    CertificateChainPolicy = ChainPolicy(material),
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                        verdict.Judge(verifyServer, certificate, chain, errors, "server", targetHost),
                };
                await ssl.AuthenticateAsClientAsync(options, timeout.Token).ConfigureAwait(false);
            }
            else
            {
                var options = new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = material.Context,
                    EnabledSslProtocols = settings.Protocols,
                    ClientCertificateRequired = settings.Verify,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    CertificateChainPolicy = ChainPolicy(material),
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                        verdict.Judge(settings.Verify, certificate, chain, errors, what, null),
                };
                await ssl.AuthenticateAsServerAsync(options, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            var reason = verdict.Rejection
                ?? (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested
                    ? $"no TLS handshake within {settings.Timeout.TotalSeconds:0.###}s (timeout)"
                    : Describe(ex, role));
            var message = $"TLS {what} handshake error ({(role == ConnectionRole.Dialed ? "as TLS client, checking name \"" + targetHost + "\"" : "as TLS server")}): {reason}";
            if (kind == ConnectionKind.Client)
            {
                // Routes are logged by the route manager with this message; clients only here.
                _logger.LogWarning("TLS client handshake error from {remote}: {reason}", connection.RemoteEndPoint, reason);
            }

            throw new IOException(message, ex);
        }

        connection.Transport = new TlsDuplexPipe(
            PipeReader.Create(ssl, new StreamPipeReaderOptions(bufferSize: BufferSize, minimumReadSize: 4096, leaveOpen: true)),
            PipeWriter.Create(ssl, new StreamPipeWriterOptions(minimumBufferSize: BufferSize, leaveOpen: true)));
        connection.Features.Set<ITlsHandshakeFeature>(new TlsHandshakeFeature(ssl));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static X509ChainPolicy ChainPolicy(CertificateMaterial material)
    {
        var policy = new X509ChainPolicy
        {
            RevocationMode = X509RevocationMode.NoCheck,
            VerificationFlags = X509VerificationFlags.NoFlag,
        };
        if (material.Authorities is { } authorities)
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(authorities);
        }

        return policy;
    }

    /// <summary>The certificate files as now on disk: read again when one changed (checked at most once a second).</summary>
    private CertificateMaterial CurrentMaterial(TlsSettings settings)
    {
        var material = Volatile.Read(ref _material) ?? throw new InvalidOperationException("the tls plugin has no certificate");
        var now = Environment.TickCount64;
        if (now < Volatile.Read(ref _nextStatTicks))
        {
            return material;
        }

        lock (_reloadLock)
        {
            Volatile.Write(ref _nextStatTicks, now + (long)StatEvery.TotalMilliseconds);
            FileStamp stamp;
            try
            {
                stamp = FileStamp.Of(settings);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return material;
            }

            if (stamp == material.Stamp || stamp == _rejectedStamp)
            {
                return material;
            }

            var problems = new List<(string Key, string Message)>();
            var reloaded = CertificateMaterial.Load(settings, problems, DateTimeOffset.UtcNow);
            if (reloaded is null)
            {
                _logger.LogError(
                    "[{table}] certificate files changed but cannot be used, keeping the previous certificate: {problems}",
                    _table, string.Join("; ", problems.Select(p => p.Key + ": " + p.Message)));
                _rejectedStamp = stamp; // not again until the files change once more
                return material;
            }

            Volatile.Write(ref _material, reloaded);
            _logger.LogInformation("[{table}] certificate files re-read: now {subject}, valid until {notAfter:yyyy-MM-dd}", _table, reloaded.Certificate.Subject, reloaded.Certificate.NotAfter.ToUniversalTime());
            return reloaded;
        }
    }

    private static string Describe(Exception ex, ConnectionRole role)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (!messages.Contains(e.Message))
            {
                messages.Add(e.Message);
            }
        }

        var text = string.Join(": ", messages);
        if (text.Contains("unknown ca", StringComparison.OrdinalIgnoreCase) || text.Contains("bad certificate", StringComparison.OrdinalIgnoreCase)
            || text.Contains("certificate unknown", StringComparison.OrdinalIgnoreCase))
        {
            return "the peer refused our certificate (is it signed by a CA in the peer's ca_file?): " + text;
        }

        if (ex is IOException && role == ConnectionRole.Accepted && text.Contains("EOF", StringComparison.OrdinalIgnoreCase))
        {
            return "the peer closed the connection during the handshake (it may not trust our certificate, or not speak TLS): " + text;
        }

        return text;
    }

    /// <summary>One handshake's verdict on the peer's certificate, kept so the error says why.</summary>
    private sealed class PeerVerdict
    {
        public string? Rejection { get; private set; }

        public bool Judge(bool verify, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, string peer, string? name)
        {
            if (!verify || errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            {
                Rejection = $"the {peer} sent no certificate, and verify = true requires one";
                return false;
            }

            var subject = certificate?.Subject ?? "(none)";
            var problems = new List<string>();
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            {
                var statuses = chain?.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError)
                    .Select(s => s.Status + (string.IsNullOrWhiteSpace(s.StatusInformation) ? "" : " (" + s.StatusInformation.Trim() + ")"))
                    .Distinct()
                    .ToList() ?? [];
                var untrusted = chain?.ChainStatus.Any(s => s.Status is X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain) ?? false;
                problems.Add(untrusted
                    ? $"its certificate ({subject}) is not signed by a trusted CA (not from ca_file's CA?): {string.Join(", ", statuses)}"
                    : $"its certificate ({subject}) does not verify: {string.Join(", ", statuses)}");
            }

            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            {
                var names = certificate is X509Certificate2 c2 ? SubjectAltNames(c2) : "";
                problems.Add($"its certificate ({subject}) is not for \"{name}\" (names in it: {names}); set server_name, or route to a host name the certificate carries");
            }

            Rejection = $"rejected the {peer}: " + string.Join("; ", problems);
            return false;
        }

        private static string SubjectAltNames(X509Certificate2 certificate)
        {
            var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
            if (extension is null)
            {
                return "none";
            }

            var names = extension.EnumerateDnsNames().Concat(extension.EnumerateIPAddresses().Select(a => a.ToString())).ToList();
            return names.Count == 0 ? "none" : string.Join(", ", names);
        }
    }
}
