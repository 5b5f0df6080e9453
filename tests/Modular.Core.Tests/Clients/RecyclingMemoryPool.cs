using System.Buffers;
using System.Numerics;

namespace Modular.Core.Tests.Clients;

/// <summary>
/// The memory behind <see cref="PipeConnection"/>'s pipes. The shared pool keeps a returned array
/// in the returning thread's own cache, so when the reader of a pipe frees segments on one thread
/// and the writer rents on another, the writer sometimes gets a new array: a few KB that an
/// allocation test would blame on the server. This pool hands back any returned block, whichever
/// thread returned it, and reuses its owner objects, so steady-state renting allocates nothing.
/// </summary>
internal sealed class RecyclingMemoryPool : MemoryPool<byte>
{
    private const int MinimumBlock = 4096;
    private readonly Stack<Block>[] _free = Enumerable.Range(0, 32).Select(_ => new Stack<Block>()).ToArray();

    public override int MaxBufferSize => 1 << 24;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        var size = Math.Max(MinimumBlock, minBufferSize);
        var bucket = BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)size));
        var free = _free[bucket];
        lock (free)
        {
            if (free.TryPop(out var block))
            {
                return block;
            }
        }

        return new Block(free, new byte[1 << bucket]);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(Stack<Block> free, byte[] array) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = array;

        public void Dispose()
        {
            lock (free)
            {
                free.Push(this);
            }
        }
    }
}
