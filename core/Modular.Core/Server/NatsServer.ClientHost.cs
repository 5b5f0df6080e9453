using Modular.Abstractions.Transport;
using Modular.Core.Clients;

namespace Modular.Core.Server;

// What client sessions see of the server (IClientHost); the rest of it stays out of their reach.
public sealed partial class NatsServer : IClientHost
{
    long IClientHost.ClientUrlsVersion => ClientUrls.Version;

    IConnectionWrapper? IClientHost.ClientConnectionWrapper => Seams.ClientConnectionWrapper;

    void Broker.IBrokerContext.AddMessageCounts(long inMsgs, long inBytes, long outMsgs, long outBytes) =>
        Statistics.AddMessages(inMsgs, inBytes, outMsgs, outBytes);

    void IClientHost.CountSlowConsumer() => Interlocked.Increment(ref Statistics.SlowConsumersClients);

    void IClientHost.CountStall() => Interlocked.Increment(ref Statistics.Stalls);

    void IClientHost.CountStaleConnection() => Interlocked.Increment(ref Statistics.StaleConnectionsClients);

    void IClientHost.OnClientClosed(ClientConnection client, ClientSnapshot snapshot) => OnClientClosed(client, snapshot);
}
