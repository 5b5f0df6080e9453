using System.Buffers;
using System.IO.Pipelines;

namespace Modular.Core.Delivery;

/// <summary>
/// The bytes queued for one connection. Any thread appends under <see cref="Gate"/>; one writer
/// loop per connection swaps the filled buffer out and writes it to the transport, so producers
/// never wait on the socket. Pending bytes (queued plus in flight) are bounded: past the limit
/// the connection is a slow consumer. Buffers come from the shared pool and are recycled.
/// </summary>
public sealed class OutboundBuffer
{
    private const int InitialSize = 16 * 1024;

    // A buffer that grew past this during a burst goes back to the pool instead of being kept.
    private const int RetainLimit = 1024 * 1024;

    private readonly long _maxPending;
    private byte[]? _active;
    private int _activeLength;
    private byte[]? _spare;
    private long _inFlight;
    private long _flushStartedTicks;

    public OutboundBuffer(long maxPending)
    {
        _maxPending = maxPending;
    }

    /// <summary>Hold this while reserving and committing.</summary>
    public object Gate { get; } = new();

    /// <summary>Bytes queued and not yet taken by the kernel.</summary>
    public long PendingBytes => Volatile.Read(ref _inFlight) + Volatile.Read(ref _activeLength);

    /// <summary>Environment.TickCount64 when the current write to the transport began; 0 when none is in progress.</summary>
    public long FlushStartedTicks => Volatile.Read(ref _flushStartedTicks);

    /// <summary>True once something was committed and the writer has not taken it yet.</summary>
    public bool HasQueued => _activeLength > 0;

    /// <summary>
    /// Reserves <paramref name="length"/> bytes (caller holds <see cref="Gate"/>). False when that
    /// would push pending bytes past the limit: the caller treats the connection as a slow consumer.
    /// </summary>
    public bool TryReserve(int length, out Span<byte> destination)
    {
        var needed = _activeLength + length;
        if (needed + _inFlight > _maxPending)
        {
            destination = default;
            return false;
        }

        if (_active is null || needed > _active.Length)
        {
            Grow(needed);
        }

        destination = _active.AsSpan(_activeLength, length);
        return true;
    }

    /// <summary>Makes the reserved bytes part of the queue (caller holds <see cref="Gate"/>).</summary>
    public void Commit(int length) => _activeLength += length;

    /// <summary>
    /// Writes everything queued to <paramref name="output"/> until the queue is empty. Only the
    /// connection's writer loop calls this. Returns false when the transport is closed.
    /// </summary>
    public async ValueTask<bool> DrainAsync(PipeWriter output)
    {
        while (true)
        {
            byte[] buffer;
            int length;
            lock (Gate)
            {
                if (_activeLength == 0)
                {
                    return true;
                }

                buffer = _active!;
                length = _activeLength;
                _active = _spare;
                _spare = null;
                _activeLength = 0;
                _inFlight = length;
            }

            Volatile.Write(ref _flushStartedTicks, Environment.TickCount64);
            FlushResult result;
            try
            {
                output.Write(buffer.AsSpan(0, length));
                result = await output.FlushAsync().ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _flushStartedTicks, 0);
                lock (Gate)
                {
                    _inFlight = 0;
                    if (_spare is null && buffer.Length <= RetainLimit)
                    {
                        _spare = buffer;
                    }
                    else
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return false;
            }
        }
    }

    /// <summary>Returns the buffers to the pool once the connection is gone.</summary>
    public void Release()
    {
        lock (Gate)
        {
            if (_active is not null)
            {
                ArrayPool<byte>.Shared.Return(_active);
            }

            if (_spare is not null)
            {
                ArrayPool<byte>.Shared.Return(_spare);
            }

            _active = _spare = null;
            _activeLength = 0;
        }
    }

    private void Grow(int needed)
    {
        var size = Math.Max(InitialSize, _active is null ? needed : Math.Max(needed, _active.Length * 2));
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        if (_active is not null)
        {
            _active.AsSpan(0, _activeLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_active);
        }

        _active = bigger;
    }
}
