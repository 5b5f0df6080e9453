using Modular.Abstractions.Transport;
using Modular.Core.Broker;
using Modular.Core.Protocol;

namespace Modular.Core.Clients;

/// <summary>What a client session needs from its server beyond the broker context: the INFO it sends, client TLS, and where it reports.</summary>
public interface IClientHost : IBrokerContext
{
    /// <summary>The INFO clients get, with the real bound port once started.</summary>
    ServerInfo ClientInfo { get; }

    /// <summary>Changes whenever the connect URLs in <see cref="ClientInfo"/> change.</summary>
    long ClientUrlsVersion { get; }

    bool IsLameDuck { get; }

    /// <summary>The client connection wrapper ([server.tls]), which says when it upgrades; null for plain connections.</summary>
    IConnectionWrapper? ClientConnectionWrapper { get; }

    void CountSlowConsumer();

    /// <summary>A client's read loop waited for a stalled connection it published to (/varz stalled_clients).</summary>
    void CountStall();

    void CountStaleConnection();

    /// <summary>The session ended: forget it, keep its last snapshot for /connz?state=closed.</summary>
    void OnClientClosed(ClientConnection client, ClientSnapshot snapshot);
}
