using System.Buffers;
using System.IO.Pipelines;
using Modular.Plugins.S2.Codec;

namespace Modular.Plugins.S2.Pipes;

/// <summary>
/// The decompressing side of a route: decodes the S2 (or Snappy) framed streams arriving on the
/// inner reader. Nothing is read from the inner reader before the first read here, so the caller
/// may go on reading plain bytes from it until the switch-over point and leave what follows the
/// INFO unconsumed there: it is decoded from the first byte. Corrupt or truncated input completes
/// this reader with an <see cref="InvalidDataException"/> saying what was wrong.
/// </summary>
public sealed class S2PipeReader : PipeReader
{
    private readonly PipeReader _inner;
    private readonly S2StreamDecoder _decoder;
    private readonly Pipe _decoded;
    private readonly CancellationTokenSource _stop = new();
    private Task? _pump;
    private int _started;
    private int _completed;

    public S2PipeReader(PipeReader inner, int maxBlockSize = S2Block.MaxBlockSize)
    {
        _inner = inner;
        _decoder = new S2StreamDecoder(maxBlockSize);
        _decoded = new Pipe(new PipeOptions(
            pauseWriterThreshold: 2L * S2Block.MaxBlockSize,
            resumeWriterThreshold: S2Block.MaxBlockSize,
            minimumSegmentSize: 64 * 1024,
            useSynchronizationContext: false));
    }

    /// <summary>Compressed bytes read from the inner reader so far.</summary>
    public long BytesBeforeDecompression => Interlocked.Read(ref _bytesIn);

    /// <summary>Decoded bytes handed to the protocol so far.</summary>
    public long BytesAfterDecompression => Interlocked.Read(ref _bytesOut);

    private long _bytesIn;
    private long _bytesOut;

    /// <summary>The decoding loop, once started (for tests: it ends when the input ends or fails).</summary>
    internal Task? Pump => _pump;

    public override bool TryRead(out ReadResult result)
    {
        EnsureStarted();
        return _decoded.Reader.TryRead(out result);
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        EnsureStarted();
        return _decoded.Reader.ReadAsync(cancellationToken);
    }

    public override void AdvanceTo(SequencePosition consumed) => _decoded.Reader.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _decoded.Reader.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => _decoded.Reader.CancelPendingRead();

    public override void Complete(Exception? exception = null)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        _decoded.Reader.Complete(exception);
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _inner.Complete(exception); // never started: nothing else owns the inner reader
        }
        else
        {
            _stop.Cancel(); // the pump completes the inner reader as it leaves
        }
    }

    private void EnsureStarted()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _pump = Task.Run(PumpAsync);
        }
    }

    private async Task PumpAsync()
    {
        Exception? failure = null;
        var writer = _decoded.Writer;

        // A chunk that has not fully arrived is moved here and consumed from the inner reader, so a
        // 1-4 MiB chunk never waits on an inner pipe whose pause threshold is smaller than the chunk.
        var stage = Array.Empty<byte>();
        var staged = 0;
        try
        {
            while (true)
            {
                var result = await _inner.ReadAsync(_stop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                ReadOnlySequence<byte> rest;
                if (staged == 0)
                {
                    rest = buffer.Slice(_decoder.Decode(buffer, writer));
                }
                else
                {
                    Grow(ref stage, staged, buffer.Length);
                    buffer.CopyTo(stage.AsSpan(staged));
                    staged += (int)buffer.Length;
                    var consumed = (int)_decoder.Decode(new ReadOnlySequence<byte>(stage, 0, staged), writer);
                    stage.AsSpan(consumed, staged - consumed).CopyTo(stage);
                    staged -= consumed;
                    rest = ReadOnlySequence<byte>.Empty;
                }

                if (!rest.IsEmpty)
                {
                    Grow(ref stage, staged, rest.Length);
                    rest.CopyTo(stage.AsSpan(staged));
                    staged += (int)rest.Length;
                }

                if (staged == 0 && stage.Length > 2 * S2Block.MaxBlockSize)
                {
                    stage = Array.Empty<byte>();
                }

                _inner.AdvanceTo(buffer.End);
                Interlocked.Exchange(ref _bytesIn, _decoder.BytesIn);
                if (_decoder.BytesOut != Interlocked.Read(ref _bytesOut))
                {
                    Interlocked.Exchange(ref _bytesOut, _decoder.BytesOut);
                    var flush = await writer.FlushAsync(_stop.Token).ConfigureAwait(false);
                    if (flush.IsCompleted)
                    {
                        break; // our reader was completed: nobody wants more
                    }
                }

                if (result.IsCompleted)
                {
                    _decoder.ThrowIfIncomplete(staged);
                    break;
                }

                if (result.IsCanceled && _stop.IsCancellationRequested)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        await writer.CompleteAsync(failure).ConfigureAwait(false);
        await _inner.CompleteAsync(failure).ConfigureAwait(false);
    }

    private static void Grow(ref byte[] stage, int staged, long more)
    {
        var needed = staged + more;
        if (needed <= stage.Length)
        {
            return;
        }

        if (needed > Array.MaxLength)
        {
            throw new InvalidDataException("S2 stream corrupt: more input buffered than any chunk can hold");
        }

        var bigger = new byte[Math.Max(needed, Math.Max(64 * 1024, Math.Min((long)stage.Length * 2, Array.MaxLength)))];
        stage.AsSpan(0, staged).CopyTo(bigger);
        stage = bigger;
    }
}
