using Modular.Core.Accounts;
using Modular.Core.Delivery;

namespace Modular.Core.Routes;

/// <summary>
/// The route connections one publish goes to, each with the queue groups it was picked for, so
/// every connection gets exactly one RMSG per message. One per reading connection, reused for
/// every message, so it does not allocate in steady state.
/// </summary>
public sealed class RouteTargets
{
    private RouteConnection[] _routes = new RouteConnection[4];
    private List<byte[]>[] _queues = [new(), new(), new(), new()];
    private int _count;

    public bool IsEmpty => _count == 0;

    /// <summary>The route has plain interest: it gets the message (with whatever queues it is also picked for).</summary>
    public void AddPlain(RouteConnection route) => IndexOf(route);

    /// <summary>The route was picked to serve one member of <paramref name="queue"/>.</summary>
    public void AddQueue(RouteConnection route, byte[] queue) => _queues[IndexOf(route)].Add(queue);

    /// <summary>Queues one RMSG per target and clears the list. Returns how many routes got it.</summary>
    public int SendAll(Account account, in OutboundMessage message, FlushBatch batch)
    {
        var sent = 0;
        for (var i = 0; i < _count; i++)
        {
            if (_routes[i].SendMessage(account, message, _queues[i], batch))
            {
                sent++;
            }

            _queues[i].Clear();
            _routes[i] = null!;
        }

        _count = 0;
        return sent;
    }

    private int IndexOf(RouteConnection route)
    {
        for (var i = 0; i < _count; i++)
        {
            if (ReferenceEquals(_routes[i], route))
            {
                return i;
            }
        }

        if (_count == _routes.Length)
        {
            Array.Resize(ref _routes, _count * 2);
            Array.Resize(ref _queues, _count * 2);
            for (var i = _count; i < _queues.Length; i++)
            {
                _queues[i] = new List<byte[]>();
            }
        }

        _routes[_count] = route;
        return _count++;
    }
}
