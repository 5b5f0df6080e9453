using System.Collections.Concurrent;
using Modular.Core.Routes;

namespace Modular.Core.PeerSessions;

/// <summary>
/// The end of a gateway or leaf node manager: its connections flush what is queued and close (each
/// removes itself from the registry when done, for at most 2 s), then its listener and dial loops
/// get 5 s to finish.
/// </summary>
internal static class PeerShutdown
{
    public static async Task CloseAllAsync<TConnection>(ConcurrentDictionary<ulong, TConnection> connections, IEnumerable<Task> background)
        where TConnection : PeerConnection
    {
        foreach (var connection in connections.Values)
        {
            connection.BeginClose(RouteCloseReason.ServerShutdown, flushFirst: true);
        }

        var deadline = Environment.TickCount64 + 2000;
        while (!connections.IsEmpty && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(background.ToArray()).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
    }
}
