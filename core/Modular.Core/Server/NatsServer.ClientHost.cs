using Modular.Abstractions.Transport;
using Modular.Core.Accounts;
using Modular.Core.Clients;
using Modular.Core.Subjects;

namespace Modular.Core.Server;

// What client sessions see of the server (IClientHost); the rest of it stays out of their reach.
public sealed partial class NatsServer : IClientHost
{
    long IClientHost.ClientUrlsVersion => ClientUrls.Version;

    IConnectionWrapper? IClientHost.ClientConnectionWrapper => Seams.ClientConnectionWrapper;

    void Broker.IBrokerContext.AddMessageCounts(long inMsgs, long inBytes, long outMsgs, long outBytes)
    {
        var statistics = Statistics;
        Interlocked.Add(ref statistics.InMsgs, inMsgs);
        Interlocked.Add(ref statistics.InBytes, inBytes);
        Interlocked.Add(ref statistics.OutMsgs, outMsgs);
        Interlocked.Add(ref statistics.OutBytes, outBytes);
    }

    void IClientHost.CountSlowConsumer() => Interlocked.Increment(ref Statistics.SlowConsumersClients);

    void IClientHost.CountStaleConnection() => Interlocked.Increment(ref Statistics.StaleConnectionsClients);

    void IClientHost.OnClientClosed(ClientConnection client, ClientSnapshot snapshot) => OnClientClosed(client, snapshot);
}
