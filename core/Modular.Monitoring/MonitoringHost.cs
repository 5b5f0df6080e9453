using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Modular.Core.Config;
using Modular.Core.Server;
using Modular.Core.Transport;

namespace Modular.Monitoring;

/// <summary>
/// Runs HTTP monitoring beside an embedded <see cref="NatsServer"/>, as the <c>modular</c> host and
/// in-process test nodes do: <c>await using var monitoring = await MonitoringHost.StartAsync(server, options.Monitor, loggerFactory)</c>.
/// Start it before the server so route INFO already carries the bound <c>monitor_url</c>.
/// </summary>
public static class MonitoringHost
{
    /// <summary>
    /// Starts monitoring for <paramref name="server"/> as <paramref name="monitor"/> says, or returns
    /// null when monitoring is off. Tells the server its bound address (<see cref="NatsServer.MonitorEndPoint"/>).
    /// </summary>
    /// <param name="configDirectory">Where relative <c>[monitor.tls]</c> file names start; the working directory when null.</param>
    /// <exception cref="System.Net.Sockets.SocketException">The address is taken.</exception>
    /// <exception cref="InvalidOperationException">The certificate or key cannot be read.</exception>
    public static async Task<MonitoringServer?> StartAsync(
        NatsServer server,
        MonitorOptions monitor,
        ILoggerFactory loggerFactory,
        string? configDirectory = null,
        CancellationToken cancellationToken = default)
    {
        if (!monitor.Enabled)
        {
            return null;
        }

        var options = new MonitoringListenOptions(new IPEndPoint(HostAddress.Parse(monitor.Host!), monitor.Port))
        {
            BasePath = monitor.BasePath,
            Token = monitor.Token,
            User = monitor.User,
            Password = monitor.Password,
            Certificate = LoadCertificate(monitor, configDirectory),
        };
        var logger = loggerFactory.CreateLogger("Modular.Monitoring");
        var monitoring = new MonitoringServer(new NatsServerMonitorAdapter(server), options, logger, loggerFactory);
        monitoring.MapRoutez((subs, detail) => RoutezBuilder.Build(server, subs, detail));
        monitoring.MapGet("/gatewayz", request => GatewayzBuilder.Handle(server, request));
        monitoring.MapGet("/leafz", request => LeafzBuilder.Handle(server, request));
        await monitoring.StartAsync(cancellationToken).ConfigureAwait(false);
        server.MonitorEndPoint = monitoring.EndPoint;
        logger.LogInformation("Listening for monitoring clients on {BaseUrl}", monitoring.BaseUrl);
        return monitoring;
    }

    private static X509Certificate2? LoadCertificate(MonitorOptions monitor, string? configDirectory)
    {
        if (monitor.TlsCertFile is null)
        {
            return null;
        }

        var certFile = Path.GetFullPath(monitor.TlsCertFile, configDirectory ?? Directory.GetCurrentDirectory());
        var keyFile = Path.GetFullPath(monitor.TlsKeyFile ?? monitor.TlsCertFile, configDirectory ?? Directory.GetCurrentDirectory());
        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"monitor.tls: cannot load {certFile} with key {keyFile}: {ex.Message}", ex);
        }
    }
}
