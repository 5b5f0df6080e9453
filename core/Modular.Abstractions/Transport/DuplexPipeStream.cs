using System.Buffers;
using System.IO.Pipelines;

namespace Modular.Abstractions.Transport;

/// <summary>
/// A connection's duplex pipe seen as a <see cref="Stream"/>, for a plugin whose codec works on
/// streams (<c>SslStream</c>, <c>DeflateStream</c>, …) between the pipe it wraps and the pipe it
/// hands to the protocol (<c>PipeReader.Create</c> / <c>PipeWriter.Create</c> over the codec).
/// <list type="bullet">
/// <item>A read returns what <see cref="IDuplexPipe.Input"/> has, at most the caller's buffer, waiting
/// only when it has nothing; 0 at the end of the input.</item>
/// <item>A write only buffers in <see cref="IDuplexPipe.Output"/>; the flush that follows sends it, so a
/// codec that writes several records per flush costs one send. More than 256 KiB unflushed are
/// flushed at once, so a codec that never flushes still holds a bounded amount.</item>
/// <item>A flush to a connection that is gone throws <see cref="IOException"/>.</item>
/// <item>Disposing completes the sides <c>access</c> allows (what closes a plain
/// connection), so two streams over one pipe, one reading and one writing, close it side by side.
/// A wrapper that closes the connection itself passes its codec <c>leaveOpen: true</c>.</item>
/// </list>
/// <see cref="BytesRead"/> and <see cref="BytesWritten"/> count what crossed the pipe (compressed
/// bytes, for a compression codec).
/// </summary>
/// <param name="pipe">The connection's pipe, as <see cref="ModularConnection.Transport"/> was before the wrapper.</param>
/// <param name="access">The sides this stream reads and writes; the other side is not touched.</param>
public sealed class DuplexPipeStream(IDuplexPipe pipe, FileAccess access = FileAccess.ReadWrite) : Stream
{
    private const int FlushAbove = 256 * 1024;

    private long _bytesRead;
    private long _bytesWritten;

    /// <summary>Bytes read from the pipe's input so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Bytes written to the pipe's output so far (flushed or not).</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public override bool CanRead => access.HasFlag(FileAccess.Read);

    public override bool CanWrite => access.HasFlag(FileAccess.Write);

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!CanRead)
        {
            throw new NotSupportedException("this stream only writes");
        }

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
        if (!CanWrite)
        {
            throw new NotSupportedException("this stream only reads");
        }

        pipe.Output.Write(buffer.Span);
        Interlocked.Add(ref _bytesWritten, buffer.Length);
        return pipe.Output.UnflushedBytes > FlushAbove ? FlushCoreAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => CanWrite ? FlushCoreAsync(cancellationToken).AsTask() : Task.CompletedTask;

    public override void Flush() => FlushAsync(default).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (CanRead)
            {
                pipe.Input.Complete();
            }

            if (CanWrite)
            {
                pipe.Output.Complete(); // what was written but not flushed still goes out
            }
        }

        base.Dispose(disposing);
    }

    private async ValueTask FlushCoreAsync(CancellationToken cancellationToken)
    {
        var flush = await pipe.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (flush.IsCanceled || flush.IsCompleted)
        {
            throw new IOException("the connection is closed");
        }
    }
}
