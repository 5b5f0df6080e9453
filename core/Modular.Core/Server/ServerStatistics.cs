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

    /// <summary>Times a producer (a client's or a route's read loop) waited for a stalled connection: /varz stalled_clients.</summary>
    public long Stalls;

    public long SlowConsumers => Interlocked.Read(ref SlowConsumersClients) + Interlocked.Read(ref SlowConsumersRoutes);

    public long StaleConnections => Interlocked.Read(ref StaleConnectionsClients) + Interlocked.Read(ref StaleConnectionsRoutes);

    /// <summary>Adds one read batch's message counts (a session publishes its batch totals here, once per batch).</summary>
    public void AddMessages(long inMsgs, long inBytes, long outMsgs, long outBytes)
    {
        Interlocked.Add(ref InMsgs, inMsgs);
        Interlocked.Add(ref InBytes, inBytes);
        if (outMsgs != 0)
        {
            Interlocked.Add(ref OutMsgs, outMsgs);
            Interlocked.Add(ref OutBytes, outBytes);
        }
    }

    void IRouteStatistics.AddInbound(long messages, long bytes) => AddMessages(messages, bytes, 0, 0);

    void IRouteStatistics.CountRouteSlowConsumer() => Interlocked.Increment(ref SlowConsumersRoutes);

    void IRouteStatistics.CountStall() => Interlocked.Increment(ref Stalls);

    void IRouteStatistics.CountRouteStaleConnection() => Interlocked.Increment(ref StaleConnectionsRoutes);
}
