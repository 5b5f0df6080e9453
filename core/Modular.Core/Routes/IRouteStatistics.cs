namespace Modular.Core.Routes;

/// <summary>The server-wide counters routes add to.</summary>
public interface IRouteStatistics
{
    void AddInbound(long messages, long bytes);

    void CountRouteSlowConsumer();

    void CountRouteStaleConnection();

    /// <summary>A route's read loop waited for a stalled connection it delivered to (/varz stalled_clients).</summary>
    void CountStall();
}
