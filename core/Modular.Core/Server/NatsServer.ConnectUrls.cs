using Microsoft.Extensions.Logging;

namespace Modular.Core.Server;

// Client connect_urls (protocol.md §1.3): the client URLs of the whole cluster, so a client given one
// seed URL learns every server, and a server in lame duck mode drops out of its peers' lists. The
// route manager feeds the peers' URLs in; a change is pushed to clients in an async INFO.
public sealed partial class NatsServer
{
    private readonly Lock _clientInfoLock = new();

    /// <summary>This server's client URLs and those of its route peers, as client INFO lists them.</summary>
    public ClientUrlSet ClientUrls { get; } = new();

    /// <summary>
    /// Called after <see cref="ClientUrls"/> changed: rebuilds the INFO new clients get and sends it
    /// to every client that takes async INFO (protocol 1 or later, past its first PONG), as
    /// nats-server does. Nothing is sent while shutting down.
    /// </summary>
    internal void PublishClientUrls()
    {
        var info = RefreshClientInfo();
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var told = 0;
        foreach (var client in _clients.Values)
        {
            if (client.SendAsyncInfo(info, lameDuck: false))
            {
                told++;
            }
        }

        _logger.LogDebug("Client connect URLs now [{urls}]; sent INFO to {told} client(s)", string.Join(", ", info.ConnectUrls ?? []), told);
    }

    /// <summary>
    /// Rebuilds <see cref="ClientInfo"/> from the current connect URLs. Under a lock, so that of two
    /// racing changes the one written last also read the latest set.
    /// </summary>
    private Protocol.ServerInfo RefreshClientInfo()
    {
        lock (_clientInfoLock)
        {
            var info = BuildClientInfo(ClientEndPoint?.Port ?? Options.Server.Port);
            ClientInfo = info;
            return info;
        }
    }

    private void ResolveOwnClientUrls(int boundPort)
    {
        var urls = ClientUrlResolver.Resolve(Options.Server.Advertise, Options.Server.Host, boundPort);
        ClientUrls.SetOwn(urls);
        _logger.LogDebug("Client URLs of this server: {urls}", string.Join(", ", urls));
    }
}
