using System.Net.Security;
using Modular.Abstractions.Transport;
using Modular.Testing.Secure;

namespace Modular.Plugins.Tls.Tests;

public sealed class TlsHandshakeTests : IDisposable
{
    private static readonly Uri LocalRoute = new("nats-route://localhost:6222");
    private readonly string _dir = Directory.CreateTempSubdirectory("modular-tls-tests-").FullName;
    private readonly DevCertificates _ca = DevCertificates.CreateAuthority("Test CA One");
    private readonly DevCertificates _otherCa = DevCertificates.CreateAuthority("Test CA Two");

    [Fact]
    public async Task RouteWrap_SameCaWithVerify_ReplacesTransportAndCarriesBytesBothWays()
    {
        var (dialer, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_ca.WriteServer(_dir, "a")), [LocalRoute]);
        var (acceptor, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_ca.WriteServer(_dir, "b")), [LocalRoute]);
        var (d, a) = PipeConnection.Pair();
        var plainD = d.Transport;

        await Task.WhenAll(
            dialer.WrapAsync(d, ConnectionKind.Route, ConnectionRole.Dialed).AsTask(),
            acceptor.WrapAsync(a, ConnectionKind.Route, ConnectionRole.Accepted).AsTask());

        Assert.NotSame(plainD, d.Transport);
        var tls = d.Features.Get<ITlsHandshakeFeature>();
        Assert.NotNull(tls);
        Assert.True(tls.Protocol >= System.Security.Authentication.SslProtocols.Tls12);
        Assert.NotNull(tls.NegotiatedCipherSuite);
        Assert.Equal("CN=a", a.Features.Get<ITlsHandshakeFeature>()!.RemoteCertificate!.Subject);
        Assert.Equal("CONNECT {}\r\n", await TlsPlugins.RoundTripAsync(d, a, "CONNECT {}\r\n"));
        Assert.Equal("INFO {}\r\n", await TlsPlugins.RoundTripAsync(a, d, "INFO {}\r\n"));
    }

    [Fact]
    public async Task RouteWrap_PeerCertificateFromAnotherCa_BothSidesFailAndTheDialerSaysWhy()
    {
        var (dialer, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_ca.WriteServer(_dir, "a")), [LocalRoute]);
        var (acceptor, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_otherCa.WriteServer(Path.Combine(_dir, "other"), "b")), [LocalRoute]);
        var (d, a) = PipeConnection.Pair();

        var dialing = dialer.WrapAsync(d, ConnectionKind.Route, ConnectionRole.Dialed).AsTask();
        var accepting = acceptor.WrapAsync(a, ConnectionKind.Route, ConnectionRole.Accepted).AsTask();
        var dialError = await Assert.ThrowsAsync<IOException>(() => dialing);
        d.Transport.Output.Complete(); // the dialer's socket would close here
        var acceptError = await Assert.ThrowsAsync<IOException>(() => accepting);

        Assert.Contains("TLS route handshake error", dialError.Message);
        Assert.Contains("not signed by a trusted CA", dialError.Message);
        Assert.Contains("CN=b", dialError.Message);
        Assert.Contains("TLS route handshake error (as TLS server)", acceptError.Message);
    }

    [Fact]
    public async Task RouteWrap_CertificateNotForRouteHost_DialerRejectsNamingTheHost()
    {
        var (dialer, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_ca.WriteServer(_dir, "a")), [LocalRoute]);
        var (acceptor, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_ca.WriteServer(_dir, "b", dnsNames: ["b.internal"])), [LocalRoute]);
        var (d, a) = PipeConnection.Pair();

        var dialing = dialer.WrapAsync(d, ConnectionKind.Route, ConnectionRole.Dialed).AsTask();
        _ = acceptor.WrapAsync(a, ConnectionKind.Route, ConnectionRole.Accepted).AsTask();
        var error = await Assert.ThrowsAsync<IOException>(() => dialing);

        Assert.Contains("is not for \"localhost\"", error.Message);
        Assert.Contains("b.internal", error.Message);
    }

    [Fact]
    public async Task RouteWrap_ServerNameOption_ChecksThatNameInstead()
    {
        var settings = TlsPlugins.Files(_ca.WriteServer(_dir, "a"));
        settings["server_name"] = "b.internal";
        var (dialer, _) = TlsPlugins.Configure("cluster.tls", settings, [LocalRoute]);
        var (acceptor, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_ca.WriteServer(_dir, "b", dnsNames: ["b.internal"])), [LocalRoute]);
        var (d, a) = PipeConnection.Pair();

        await Task.WhenAll(
            dialer.WrapAsync(d, ConnectionKind.Route, ConnectionRole.Dialed).AsTask(),
            acceptor.WrapAsync(a, ConnectionKind.Route, ConnectionRole.Accepted).AsTask());

        Assert.Equal("PING\r\n", await TlsPlugins.RoundTripAsync(d, a, "PING\r\n"));
    }

    [Fact]
    public async Task RouteWrap_VerifyFalseOnBothSides_AcceptsAnotherCa()
    {
        var (dialer, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_ca.WriteServer(_dir, "a"), verify: false), [LocalRoute]);
        var (acceptor, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_otherCa.WriteServer(Path.Combine(_dir, "other"), "b"), verify: false), [LocalRoute]);
        var (d, a) = PipeConnection.Pair();

        await Task.WhenAll(
            dialer.WrapAsync(d, ConnectionKind.Route, ConnectionRole.Dialed).AsTask(),
            acceptor.WrapAsync(a, ConnectionKind.Route, ConnectionRole.Accepted).AsTask());

        Assert.Equal("PONG\r\n", await TlsPlugins.RoundTripAsync(a, d, "PONG\r\n"));
    }

    [Fact]
    public async Task RouteWrap_AcceptorWithVerify_RefusesADialerWithoutCertificate()
    {
        var (acceptor, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_ca.WriteServer(_dir, "b")), [LocalRoute]);
        var (d, a) = PipeConnection.Pair();
        var accepting = acceptor.WrapAsync(a, ConnectionKind.Route, ConnectionRole.Accepted).AsTask();

        // A plain TLS client with no certificate, trusting the CA.
        var ssl = new SslStream(new DuplexPipeStream(d.Transport));
        var clientOptions = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        };
        // With TLS 1.3 the client may finish before the server judges it; only the server's verdict matters.
        _ = ssl.AuthenticateAsClientAsync(clientOptions);
        var error = await Assert.ThrowsAsync<IOException>(() => accepting);

        Assert.Contains("sent no certificate", error.Message);
    }

    [Fact]
    public async Task Wrap_PeerSilent_FailsAfterTimeout()
    {
        var settings = TlsPlugins.Files(_ca.WriteServer(_dir, "b"));
        settings["timeout"] = "300ms";
        var (acceptor, _) = TlsPlugins.Configure("cluster.tls", settings, [LocalRoute]);
        var (_, a) = PipeConnection.Pair();

        var error = await Assert.ThrowsAsync<IOException>(() => acceptor.WrapAsync(a, ConnectionKind.Route, ConnectionRole.Accepted).AsTask());

        Assert.Contains("no TLS handshake within 0.3s", error.Message);
    }

    [Fact]
    public async Task Wrap_CertificateFilesReplaced_NextHandshakeUsesTheNewCertificate()
    {
        var files = _ca.WriteServer(_dir, "rotating");
        var (acceptor, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(files), [LocalRoute]);
        var (dialer, _) = TlsPlugins.Configure("cluster.tls", TlsPlugins.Files(_ca.WriteServer(_dir, "a")), [LocalRoute]);
        Assert.Equal("CN=rotating", await PeerSubjectAsync(dialer, acceptor));

        var (cert, key) = _ca.Issue("rotated");
        File.WriteAllText(files.Cert, cert);
        File.WriteAllText(files.Key, key);
        File.SetLastWriteTimeUtc(files.Cert, DateTime.UtcNow.AddSeconds(5));
        await Task.Delay(1100); // the files are looked at no more than once a second

        Assert.Equal("CN=rotated", await PeerSubjectAsync(dialer, acceptor));
    }

    private static async Task<string> PeerSubjectAsync(TlsPlugin dialer, TlsPlugin acceptor)
    {
        var (d, a) = PipeConnection.Pair();
        await Task.WhenAll(
            dialer.WrapAsync(d, ConnectionKind.Route, ConnectionRole.Dialed).AsTask(),
            acceptor.WrapAsync(a, ConnectionKind.Route, ConnectionRole.Accepted).AsTask());
        return d.Features.Get<ITlsHandshakeFeature>()!.RemoteCertificate!.Subject;
    }

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
