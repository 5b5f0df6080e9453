using Modular.Core.Routes;

namespace Modular.Core.Server;

/// <summary>Server-wide counters, updated with Interlocked on the hot path and read by /varz.</summary>
public sealed class ServerStatistics : IRouteStatistics
{
    public long InMsgs;
    public long InBytes;
    public long OutMsgs;
    public long OutBytes;
    public long TotalConnections;
    public long SlowConsumersClients;
    public long SlowConsumersRoutes;
    public long StaleConnectionsClients;
    public long StaleConnectionsRoutes;

    public long SlowConsumers => Interlocked.Read(ref SlowConsumersClients) + Interlocked.Read(ref SlowConsumersRoutes);

    public long StaleConnections => Interlocked.Read(ref StaleConnectionsClients) + Interlocked.Read(ref StaleConnectionsRoutes);

    void IRouteStatistics.AddInbound(long messages, long bytes)
    {
        Interlocked.Add(ref InMsgs, messages);
        Interlocked.Add(ref InBytes, bytes);
    }

    void IRouteStatistics.CountRouteSlowConsumer() => Interlocked.Increment(ref SlowConsumersRoutes);

    void IRouteStatistics.CountRouteStaleConnection() => Interlocked.Increment(ref StaleConnectionsRoutes);
}
