using System.Buffers;

namespace Modular.Core.Protocol;

/// <summary>
/// One parsed client operation. The spans point into the read buffer (or the parser's scratch
/// buffer) and are valid only until the buffer is advanced or the parser is called again.
/// </summary>
public ref struct ClientCommand
{
    public ClientOp Op;

    public ReadOnlySpan<byte> Subject;

    /// <summary>Reply subject of PUB/HPUB; empty when none.</summary>
    public ReadOnlySpan<byte> Reply;

    /// <summary>Queue group of SUB; empty when none.</summary>
    public ReadOnlySpan<byte> Queue;

    public ReadOnlySpan<byte> Sid;

    /// <summary>The JSON of CONNECT (or INFO).</summary>
    public ReadOnlySpan<byte> Json;

    /// <summary>Header bytes of HPUB (part of <see cref="TotalSize"/>); 0 for PUB.</summary>
    public int HeaderSize;

    /// <summary>Bytes of payload, headers included.</summary>
    public int TotalSize;

    /// <summary>UNSUB's max messages; 0 when absent.</summary>
    public long MaxMessages;

    /// <summary>Headers and body of PUB/HPUB, without the trailing CRLF.</summary>
    public ReadOnlySequence<byte> Payload;
}
