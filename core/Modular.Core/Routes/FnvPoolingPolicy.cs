using Modular.Abstractions.Pooling;

namespace Modular.Core.Routes;

/// <summary>
/// The built-in pooling policy, nats-server's: an account goes on pool slot FNV-1a(name) mod
/// pool_size (32-bit, offset basis 0x811c9dc5, prime 0x01000193); no accounts are dedicated.
/// </summary>
public sealed class FnvPoolingPolicy : IRoutePoolingPolicy
{
    public static readonly FnvPoolingPolicy Instance = new();

    public IReadOnlyCollection<string> DedicatedAccounts { get; } = Array.Empty<string>();

    public int PoolIndexFor(ReadOnlySpan<byte> account, int poolSize) => NatsPoolIndex.Of(account, poolSize);
}
