namespace Modular.Core.Routes;

/// <summary>The server-wide counters routes add to.</summary>
public interface IRouteStatistics
{
    void AddInbound(long messages, long bytes);

    void CountRouteSlowConsumer();

    void CountRouteStaleConnection();
}
