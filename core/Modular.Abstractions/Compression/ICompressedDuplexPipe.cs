using System.IO.Pipelines;

namespace Modular.Abstractions.Compression;

/// <summary>What <see cref="ICompressionProvider.Wrap"/> returns when it compresses: the level in use and byte counts.</summary>
public interface ICompressedDuplexPipe : IDuplexPipe
{
    /// <summary>The level the writer uses; setting it takes effect from the next flush (s2_auto on each PONG).</summary>
    string Mode { get; set; }

    long BytesOutUncompressed { get; }

    long BytesOutCompressed { get; }

    long BytesInCompressed { get; }

    long BytesInUncompressed { get; }
}
