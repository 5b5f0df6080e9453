using System.Buffers;

namespace Modular.Core.Delivery;

/// <summary>A message on its way to subscribers: views into the publisher's read buffer, never copied until written out.</summary>
public readonly ref struct OutboundMessage
{
    public OutboundMessage(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, int headerSize, ReadOnlySequence<byte> payload)
    {
        Subject = subject;
        Reply = reply;
        HeaderSize = headerSize;
        Payload = payload;
    }

    public ReadOnlySpan<byte> Subject { get; }

    /// <summary>Empty when the message has no reply subject.</summary>
    public ReadOnlySpan<byte> Reply { get; }

    /// <summary>Bytes of the header block at the start of <see cref="Payload"/>; 0 without headers.</summary>
    public int HeaderSize { get; }

    /// <summary>Headers (if any) followed by the body.</summary>
    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>The cluster of the leaf node the message came from (a clustered leaf this server is the hub of); empty otherwise.</summary>
    public ReadOnlySpan<byte> LeafOrigin { get; init; }
}
