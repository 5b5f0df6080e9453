using System.Buffers;

namespace Modular.Core.Routes;

/// <summary>
/// One parsed route operation. Spans point into the read buffer (or the parser's scratch) and
/// are valid only until the buffer is advanced or the parser is called again.
/// </summary>
public ref struct RouteCommand
{
    public RouteOp Op;

    /// <summary>The account; empty on a pinned-account route, where the route implies it.</summary>
    public ReadOnlySpan<byte> Account;

    /// <summary>Leaf origin cluster of LS+/LS-/LMSG; empty otherwise.</summary>
    public ReadOnlySpan<byte> Origin;

    public ReadOnlySpan<byte> Subject;

    /// <summary>Queue of RS+/RS-; empty for plain interest.</summary>
    public ReadOnlySpan<byte> Queue;

    /// <summary>Queue weight of RS+ (members on the peer).</summary>
    public int Weight;

    public ReadOnlySpan<byte> Reply;

    /// <summary>The queue groups an RMSG names, separated by spaces; empty when none.</summary>
    public ReadOnlySpan<byte> Queues;

    /// <summary>Header bytes of HMSG/LMSG; 0 for RMSG.</summary>
    public int HeaderSize;

    public int TotalSize;

    public ReadOnlySequence<byte> Payload;

    /// <summary>The JSON of INFO/CONNECT, or the text of -ERR.</summary>
    public ReadOnlySpan<byte> Text;
}
