using System.Buffers;
using System.Text;
using Modular.Core.Protocol;
using Modular.Core.Routes;

namespace Modular.Benchmarks.Workloads;

/// <summary>
/// One outbound frame written per call into a reused buffer, as delivery does: MSG (16 B and
/// 1 KiB, with a reply), HMSG, and the route's RMSG (with the account, with a reply and queue
/// groups, and HMSG with headers). Shared by the benchmarks and the allocation test.
/// </summary>
public sealed class EncoderWorkload
{
    private readonly byte[] _destination = new byte[4096];
    private readonly byte[] _subject = Encoding.ASCII.GetBytes("orders.eu.new");
    private readonly byte[] _sid = Encoding.ASCII.GetBytes("17");
    private readonly byte[] _reply = Encoding.ASCII.GetBytes("_INBOX.8f3kq2.1");
    private readonly byte[] _account = Encoding.ASCII.GetBytes("$G");
    private readonly List<byte[]> _queues = [Encoding.ASCII.GetBytes("workers"), Encoding.ASCII.GetBytes("audit")];
    private readonly ReadOnlySequence<byte> _small = new(Encoding.ASCII.GetBytes("0123456789abcdef"));
    private readonly ReadOnlySequence<byte> _large = new(new byte[1024]);
    private readonly ReadOnlySequence<byte> _withHeaders = new(Encoding.ASCII.GetBytes("NATS/1.0\r\nKey: Val\r\n\r\n0123456789abcdef"));
    private const int HeaderLength = 22;

    public int Msg16() => MessageEncoder.WriteMsg(_destination, _subject, _sid, default, _small);

    public int Msg1K() => MessageEncoder.WriteMsg(_destination, _subject, _sid, default, _large);

    public int MsgWithReply() => MessageEncoder.WriteMsg(_destination, _subject, _sid, _reply, _small);

    public int HMsg() => MessageEncoder.WriteHMsg(_destination, _subject, _sid, _reply, HeaderLength, _withHeaders);

    public int Rmsg16() => RouteMessageEncoder.Write(_destination, _account, _subject, default, null, 0, _small, withHeaders: false);

    public int Rmsg1K() => RouteMessageEncoder.Write(_destination, _account, _subject, default, null, 0, _large, withHeaders: false);

    public int RmsgWithQueues() => RouteMessageEncoder.Write(_destination, _account, _subject, _reply, _queues, 0, _small, withHeaders: false);

    public int RouteHMsg() => RouteMessageEncoder.Write(_destination, _account, _subject, _reply, null, HeaderLength, _withHeaders, withHeaders: true);
}
