using Modular.Abstractions.Compression;
using System.IO.Pipelines;
using Modular.Plugins.S2.Codec;

namespace Modular.Plugins.S2.Pipes;

/// <summary>
/// A route connection in S2: <see cref="Output"/> writes one complete S2 stream per flush at
/// <see cref="Level"/>; <see cref="Input"/> decodes what the peer sends (any level, S2 or Snappy).
/// The two sides are independent, as nats-server's levels are asymmetric.
/// </summary>
public sealed class S2DuplexPipe : IDuplexPipe, ICompressionFeature
{
    private readonly S2PipeReader _reader;
    private readonly S2PipeWriter _writer;

    public S2DuplexPipe(IDuplexPipe inner, S2Level level)
    {
        Inner = inner;
        _reader = new S2PipeReader(inner.Input);
        _writer = new S2PipeWriter(inner.Output, level);
    }

    public IDuplexPipe Inner { get; }

    public PipeReader Input => _reader;

    public PipeWriter Output => _writer;

    /// <summary>The writer's level; a change takes effect from the next flush.</summary>
    public S2Level Level
    {
        get => _writer.Level;
        set => _writer.Level = value;
    }

    /// <summary>The nats-server name of <see cref="Level"/> (s2_uncompressed, s2_fast, s2_better, s2_best).</summary>
    public string Mode
    {
        get => S2Modes.ToMode(Level);
        set => Level = S2Modes.ToLevel(value);
    }

    /// <summary>Outbound bytes before compression.</summary>
    public long BytesOutUncompressed => _writer.BytesBeforeCompression;

    /// <summary>Outbound bytes on the wire.</summary>
    public long BytesOutCompressed => _writer.BytesAfterCompression;

    /// <summary>Inbound bytes on the wire.</summary>
    public long BytesInCompressed => _reader.BytesBeforeDecompression;

    /// <summary>Inbound bytes after decompression.</summary>
    public long BytesInUncompressed => _reader.BytesAfterDecompression;
}
