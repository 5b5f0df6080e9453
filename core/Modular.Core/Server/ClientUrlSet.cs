using Modular.Core.Routes.Peers;

namespace Modular.Core.Server;

/// <summary>
/// The client URLs a server lists in its client INFO <c>connect_urls</c> (protocol.md §1.3, §9):
/// its own first, then those of every route peer, learned from the peers' route INFO. Peer URLs are
/// counted, as nats-server does, because two server instances may advertise the same URL for a
/// while (a server restarted on the same port while its old routes are still being torn down).
/// Like nats-server, a server that never had a peer lists nothing: <see cref="Advertised"/> stays
/// null until the first change. Thread-safe; callers may hold the route manager's lock (this lock
/// is taken last and calls nothing).
/// </summary>
public sealed class ClientUrlSet : IPeerClientUrls
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _peerCounts = new(StringComparer.Ordinal);
    private readonly List<string> _peerOrder = new(); // first-seen order, so INFO lists are stable
    private string[] _own = [];
    private bool _ownWithdrawn;
    private string[]? _advertised;
    private long _version;

    /// <summary>This server's own client URLs; empty before the client listener is bound, and after lame duck mode began.</summary>
    public IReadOnlyList<string> Own
    {
        get
        {
            lock (_lock)
            {
                return _ownWithdrawn ? [] : _own;
            }
        }
    }

    /// <summary>What client INFO carries in <c>connect_urls</c>; null when nothing changed the set yet (the key is then left out).</summary>
    public IReadOnlyList<string>? Advertised => Volatile.Read(ref _advertised);

    /// <summary>Bumped on every change of <see cref="Advertised"/>: a client compares it with the one its INFO was built from.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Sets this server's own URLs once its listener is bound.</summary>
    public void SetOwn(IReadOnlyList<string> urls)
    {
        lock (_lock)
        {
            _own = urls.ToArray();
            if (_advertised is not null)
            {
                PublishLocked();
            }
        }
    }

    /// <summary>A peer joined with these URLs. True when <see cref="Advertised"/> changed.</summary>
    public bool AddPeerUrls(IReadOnlyList<string> urls)
    {
        lock (_lock)
        {
            var changed = false;
            foreach (var url in urls)
            {
                if (_peerCounts.TryGetValue(url, out var count))
                {
                    _peerCounts[url] = count + 1;
                    continue;
                }

                _peerCounts[url] = 1;
                _peerOrder.Add(url);
                changed = true;
            }

            if (changed)
            {
                PublishLocked();
            }

            return changed;
        }
    }

    /// <summary>A peer left or entered lame duck mode. True when <see cref="Advertised"/> changed.</summary>
    public bool RemovePeerUrls(IReadOnlyList<string> urls)
    {
        lock (_lock)
        {
            var changed = false;
            foreach (var url in urls)
            {
                if (!_peerCounts.TryGetValue(url, out var count))
                {
                    continue;
                }

                if (count > 1)
                {
                    _peerCounts[url] = count - 1;
                    continue;
                }

                _peerCounts.Remove(url);
                _peerOrder.Remove(url);
                changed = true;
            }

            if (changed)
            {
                PublishLocked();
            }

            return changed;
        }
    }

    /// <summary>
    /// Lame duck mode: from now on only the other servers are listed (clients are told to go
    /// there), even if nothing was listed before, as nats-server's lame duck INFO does.
    /// </summary>
    public void WithdrawOwn()
    {
        lock (_lock)
        {
            _ownWithdrawn = true;
            PublishLocked();
        }
    }

    private void PublishLocked()
    {
        var own = _ownWithdrawn ? [] : _own;
        var list = new string[own.Length + _peerOrder.Count];
        own.CopyTo(list, 0);
        _peerOrder.CopyTo(list, own.Length);
        Volatile.Write(ref _advertised, list);
        Interlocked.Increment(ref _version);
    }
}
