namespace Modular.Abstractions.Pooling;

/// <summary>
/// nats-server's placement of an account on a route pool: FNV-1a 32-bit of the account name
/// (offset basis 0x811c9dc5, prime 0x01000193), modulo the pool size. Shared so that a pooling
/// plugin that only changes which accounts are dedicated keeps the same placement for the rest.
/// </summary>
public static class NatsPoolIndex
{
    public static int Of(ReadOnlySpan<byte> account, int poolSize)
    {
        if (poolSize <= 1)
        {
            return 0;
        }

        var hash = 0x811c9dc5u;
        foreach (var b in account)
        {
            hash ^= b;
            hash *= 0x01000193u;
        }

        return (int)(hash % (uint)poolSize);
    }
}
