namespace Modular.Abstractions.Pooling;

/// <summary>
/// The route pooling seam: which pooled connection carries an account, and which accounts get
/// connections of their own. The built-in default hashes the account name (FNV-1a) over pool_size.
/// </summary>
public interface IRoutePoolingPolicy
{
    /// <summary>Accounts that get a dedicated (pinned) route to every peer.</summary>
    IReadOnlyCollection<string> DedicatedAccounts { get; }

    /// <summary>The pool index (0..poolSize-1) that carries <paramref name="account"/>.</summary>
    int PoolIndexFor(ReadOnlySpan<byte> account, int poolSize);
}
