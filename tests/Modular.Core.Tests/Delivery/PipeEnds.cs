using System.IO.Pipelines;
using System.Net;
using System.Text;
using Modular.Abstractions.Transport;
using Modular.Core.Transport;

namespace Modular.Core.Tests.Delivery;

/// <summary>
/// A connection whose send side is a pipe the test reads as the peer would. A small pause threshold
/// makes a flush wait until the peer reads: the "socket is full" case of the writer hand-off.
/// Every write goes through <see cref="SingleWriterCheck"/>, which records any overlap of writers.
/// </summary>
internal sealed class PipeEnds : ModularConnection
{
    private readonly Pipe _fromServer;
    private readonly Pipe _toServer = new();

    public PipeEnds(long pauseWriterThreshold = 0)
    {
        _fromServer = new Pipe(new PipeOptions(
            pauseWriterThreshold: pauseWriterThreshold,
            resumeWriterThreshold: pauseWriterThreshold / 2,
            useSynchronizationContext: false));
        Writes = new SingleWriterCheck(_fromServer.Writer);
        Transport = new DuplexPipe(_toServer.Reader, Writes);
    }

    /// <summary>What the server sent, as the peer reads it.</summary>
    public PipeReader Peer => _fromServer.Reader;

    public SingleWriterCheck Writes { get; }

    public override IDuplexPipe Transport { get; set; }

    public override EndPoint? RemoteEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 40000);

    public override EndPoint? LocalEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 4222);

    private int _aborts;
    private int _sendShutdowns;

    public int Aborts => Volatile.Read(ref _aborts);

    public int SendShutdowns => Volatile.Read(ref _sendShutdowns);

    /// <summary>Whether the transport can shut its send side only (a socket can; false makes a flushed close abort).</summary>
    public bool CanShutdownSend { get; init; } = true;

    public override void Abort()
    {
        Interlocked.Increment(ref _aborts);
        _fromServer.Writer.Complete();
        _toServer.Reader.Complete();
    }

    public override bool TryShutdownSend()
    {
        if (!CanShutdownSend)
        {
            return false;
        }

        Interlocked.Increment(ref _sendShutdowns);
        _fromServer.Writer.Complete();
        return true;
    }

    public override ValueTask DisposeAsync()
    {
        Abort();
        return ValueTask.CompletedTask;
    }

    /// <summary>Reads what the server sent until <paramref name="byteCount"/> bytes arrived (or the send side ended).</summary>
    public async Task<string> ReadAsync(int byteCount, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var text = new StringBuilder();
        while (text.Length < byteCount)
        {
            var result = await Peer.ReadAsync(deadline.Token);
            foreach (var segment in result.Buffer)
            {
                text.Append(Encoding.ASCII.GetString(segment.Span));
            }

            Peer.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        return text.ToString();
    }

    /// <summary>Reads everything until the server ends its send side.</summary>
    public Task<string> ReadToEndAsync(TimeSpan timeout) => ReadAsync(int.MaxValue, timeout);
}

/// <summary>A pipe writer that counts how often two threads were inside it at once (the hand-off must prevent it).</summary>
internal sealed class SingleWriterCheck(PipeWriter inner) : PipeWriter
{
    private int _inside;
    private int _overlaps;
    private int _flushes;

    public int Overlaps => Volatile.Read(ref _overlaps);

    public int Flushes => Volatile.Read(ref _flushes);

    public override void Advance(int bytes) => Guard(() => inner.Advance(bytes));

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Enter();
        try
        {
            return inner.GetMemory(sizeHint);
        }
        finally
        {
            Exit();
        }
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Enter();
        try
        {
            return inner.GetSpan(sizeHint);
        }
        finally
        {
            Exit();
        }
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Enter();
        try
        {
            Interlocked.Increment(ref _flushes);
            return await inner.FlushAsync(cancellationToken);
        }
        finally
        {
            Exit();
        }
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    private void Guard(Action action)
    {
        Enter();
        try
        {
            action();
        }
        finally
        {
            Exit();
        }
    }

    private void Enter()
    {
        if (Interlocked.Increment(ref _inside) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }
    }

    private void Exit() => Interlocked.Decrement(ref _inside);
}
