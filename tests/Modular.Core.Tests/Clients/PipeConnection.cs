using System.IO.Pipelines;
using System.Net;
using Modular.Abstractions.Transport;
using Modular.Core.Transport;

namespace Modular.Core.Tests.Clients;

/// <summary>
/// An in-memory connection: the test writes what the "client" sends into <see cref="ToServer"/>
/// and reads what the server sent from <see cref="FromServer"/>. The server's read continuations
/// run inline on the test's writing thread, so per-thread allocation counters see the whole
/// parse → match → deliver path; the pipes' memory comes from a <see cref="RecyclingMemoryPool"/>
/// so the pipes themselves add nothing to that count.
/// </summary>
internal sealed class PipeConnection : ModularConnection
{
    private readonly Pipe _toServer;
    private readonly Pipe _fromServer;

    public PipeConnection()
    {
        var options = new PipeOptions(pool: new RecyclingMemoryPool(), readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 0, useSynchronizationContext: false);
        _toServer = new Pipe(options);
        _fromServer = new Pipe(options);
        Transport = new DuplexPipe(_toServer.Reader, _fromServer.Writer);
    }

    public PipeWriter ToServer => _toServer.Writer;

    public PipeReader FromServer => _fromServer.Reader;

    public override IDuplexPipe Transport { get; set; }

    public override EndPoint? RemoteEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 40000);

    public override EndPoint? LocalEndPoint { get; } = new IPEndPoint(IPAddress.Loopback, 4222);

    public override void Abort()
    {
        _toServer.Writer.Complete();
        _fromServer.Reader.Complete();
    }

    public override ValueTask DisposeAsync()
    {
        Abort();
        return ValueTask.CompletedTask;
    }
}
