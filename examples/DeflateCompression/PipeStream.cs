using System.Buffers;
using System.IO.Pipelines;

namespace Modular.Examples.DeflateCompression;

/// <summary>
/// One direction of a duplex pipe seen as a stream (what a DeflateStream reads from or writes to),
/// counting the bytes that cross it. Disposing it completes that direction of the pipe, so closing
/// the route's compressed writer or reader closes the connection's as well.
/// </summary>
internal sealed class PipeStream(IDuplexPipe pipe, bool reads) : Stream
{
    private long _bytesRead;
    private long _bytesWritten;

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public override bool CanRead => reads;

    public override bool CanWrite => !reads;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await pipe.Input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var available = result.Buffer;
            if (!available.IsEmpty)
            {
                var count = (int)Math.Min(available.Length, buffer.Length);
                var slice = available.Slice(0, count);
                slice.CopyTo(buffer.Span);
                pipe.Input.AdvanceTo(slice.End);
                Interlocked.Add(ref _bytesRead, count);
                return count;
            }

            pipe.Input.AdvanceTo(available.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return 0;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Sent by the flush that follows: DeflateStream flushes after writing a sync-flushed block.
        pipe.Output.Write(buffer.Span);
        Interlocked.Add(ref _bytesWritten, buffer.Length);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        var flush = await pipe.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (flush.IsCanceled || flush.IsCompleted)
        {
            throw new IOException("the connection is closed");
        }
    }

    public override void Flush() => FlushAsync(default).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (reads)
            {
                pipe.Input.Complete();
            }
            else
            {
                pipe.Output.Complete(); // what was written but not flushed still goes out
            }
        }

        base.Dispose(disposing);
    }
}
