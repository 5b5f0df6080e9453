using System.Runtime.CompilerServices;
using Modular.Core.Delivery;
using Modular.Core.Subjects;

namespace Modular.Core.Routing;

/// <summary>
/// The peer connections one message goes to, each with the queue groups it was picked for, so
/// every connection gets exactly one copy per message. One per router, reused for every message,
/// so it does not allocate in steady state.
/// </summary>
public sealed class PeerTargets
{
    private IMessagePeer[] _peers = new IMessagePeer[4];
    private List<byte[]>[] _queues = [new(), new(), new(), new()];
    private int _count;

    public bool IsEmpty => _count == 0;

    /// <summary>The peer has plain interest: it gets the message (with whatever queues it is also picked for).</summary>
    public void AddPlain(IMessagePeer peer) => IndexOf(peer);

    /// <summary>The peer was picked to serve one member of <paramref name="queue"/>.</summary>
    public void AddQueue(IMessagePeer peer, byte[] queue) => _queues[IndexOf(peer)].Add(queue);

    /// <summary>Queues one copy per target and clears the list. Returns how many peers took it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    public int SendAll(ReadOnlySpan<byte> account, in OutboundMessage message, FlushBatch batch)
    {
        var sent = 0;
        for (var i = 0; i < _count; i++)
        {
            if (_peers[i].SendMessage(account, message, _queues[i], batch))
            {
                sent++;
            }

            _queues[i].Clear();
            _peers[i] = null!;
        }

        _count = 0;
        return sent;
    }

    private int IndexOf(IMessagePeer peer)
    {
        for (var i = 0; i < _count; i++)
        {
            if (ReferenceEquals(_peers[i], peer))
            {
                return i;
            }
        }

        if (_count == _peers.Length)
        {
            Array.Resize(ref _peers, _count * 2);
            Array.Resize(ref _queues, _count * 2);
            for (var i = _count; i < _queues.Length; i++)
            {
                _queues[i] = new List<byte[]>();
            }
        }

        _peers[_count] = peer;
        return _count++;
    }
}
