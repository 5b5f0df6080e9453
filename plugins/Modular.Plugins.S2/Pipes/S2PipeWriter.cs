using System.Buffers;
using System.IO.Pipelines;
using Modular.Plugins.S2.Codec;

namespace Modular.Plugins.S2.Pipes;

/// <summary>
/// The compressing side of a route: buffers what the protocol writes and, on every
/// <see cref="FlushAsync"/>, writes it to the inner writer as one complete S2 stream (as nats-server
/// does per flush of a route's outbound buffer), then flushes the inner writer.
/// </summary>
public sealed class S2PipeWriter : PipeWriter
{
    private const int InitialBuffer = 16 * 1024;
    private const int RetainedBuffer = 1 << 20;

    private readonly PipeWriter _inner;
    private readonly S2StreamEncoder _encoder;
    private byte[] _buffer;
    private int _written;
    private bool _completed;
    private long _bytesIn;
    private long _bytesOut;

    public S2PipeWriter(PipeWriter inner, S2Level level)
    {
        _inner = inner;
        _encoder = new S2StreamEncoder(level);
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
    }

    /// <summary>The level of the next flush's stream (s2_auto re-chooses it from the RTT).</summary>
    public S2Level Level
    {
        get => _encoder.Level;
        set => _encoder.Level = value;
    }

    /// <summary>Bytes written by the protocol and compressed so far.</summary>
    public long BytesBeforeCompression => Interlocked.Read(ref _bytesIn);

    /// <summary>Bytes put on the inner writer so far.</summary>
    public long BytesAfterCompression => Interlocked.Read(ref _bytesOut);

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    public override void Advance(int bytes)
    {
        if ((uint)bytes > (uint)(_buffer.Length - _written))
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), "advanced past the memory handed out");
        }

        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        Compress();
        return await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Write and flush in one: with nothing buffered, <paramref name="source"/> is compressed where
    /// it lies into one S2 stream, without first being copied into this writer's buffer (the route's
    /// outbound buffer hands its bytes over this way).
    /// </summary>
    public override async ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_written == 0)
        {
            CompressStream(source.Span);
        }
        else
        {
            this.Write(source.Span);
            Compress();
        }

        return await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void CancelPendingFlush() => _inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        try
        {
            if (exception is null)
            {
                Compress(); // what was written but not flushed still goes out, as Pipe.Complete does
            }
        }
        finally
        {
            _completed = true;
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = Array.Empty<byte>();
            _written = 0;
            _inner.Complete(exception);
        }
    }

    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        try
        {
            if (exception is null)
            {
                Compress();
            }
        }
        finally
        {
            _completed = true;
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = Array.Empty<byte>();
            _written = 0;
            await _inner.CompleteAsync(exception).ConfigureAwait(false);
        }
    }

    private void Compress()
    {
        if (_written == 0)
        {
            return;
        }

        CompressStream(_buffer.AsSpan(0, _written));
        _written = 0;
        if (_buffer.Length > RetainedBuffer)
        {
            // A burst grew the buffer: give the memory back rather than hold it for the route's life.
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        }
    }

    private void CompressStream(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var produced = _encoder.WriteStream(data, _inner);
        Interlocked.Add(ref _bytesIn, data.Length);
        Interlocked.Add(ref _bytesOut, produced);
    }

    private void Ensure(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var size = Math.Max(_buffer.Length * 2, _written + needed);
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
