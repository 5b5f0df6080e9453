using Modular.Abstractions.Pooling;

namespace Modular.Core.Routes.Pinning;

/// <summary>
/// Which route an account takes: a route of its own (the system account and the policy's
/// dedicated accounts, when pooling), else the pool slot the policy maps it to. A reload may
/// replace the policy; the pinned set is replaced whole, never changed in place, so readers need no lock.
/// </summary>
public sealed class AccountRouting
{
    /// <summary>The system account, pinned to its own route when pooling, as nats-server does.</summary>
    public const string SystemAccount = "$SYS";

    private volatile HashSet<string> _pinned;

    public AccountRouting(int poolSize, IRoutePoolingPolicy pooling)
    {
        LocalPoolSize = poolSize < 0 ? 0 : poolSize == 0 ? 3 : poolSize;
        Pooling = pooling;
        _pinned = PinnedSetFor(pooling);
    }

    /// <summary>Pooled connections per peer; 0 when pooling is off (pool_size -1, one route per peer).</summary>
    public int LocalPoolSize { get; }

    public bool IsPooling => LocalPoolSize > 0;

    public IRoutePoolingPolicy Pooling { get; private set; }

    public IReadOnlyCollection<string> PinnedAccounts => _pinned;

    public bool IsPinned(string account) => _pinned.Contains(account);

    public int PoolIndexFor(ReadOnlySpan<byte> account) => Pooling.PoolIndexFor(account, LocalPoolSize);

    /// <summary>The accounts with routes of their own under <paramref name="pooling"/>.</summary>
    public HashSet<string> PinnedSetFor(IRoutePoolingPolicy pooling)
    {
        var pinned = new HashSet<string>(StringComparer.Ordinal);
        if (IsPooling)
        {
            pinned.Add(SystemAccount);
            pinned.UnionWith(pooling.DedicatedAccounts);
        }

        return pinned;
    }

    /// <summary>Takes a reloaded policy; returns the one it replaces. The pinned set changes separately (see <see cref="SetPinned"/>).</summary>
    public IRoutePoolingPolicy ReplacePolicy(IRoutePoolingPolicy next)
    {
        var previous = Pooling;
        Pooling = next;
        return previous;
    }

    public void SetPinned(HashSet<string> pinned) => _pinned = pinned;
}
