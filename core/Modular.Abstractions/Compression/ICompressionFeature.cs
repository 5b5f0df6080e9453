namespace Modular.Abstractions.Compression;

/// <summary>
/// Feature a compression provider publishes in <see cref="Transport.ModularConnection.Features"/>
/// when it switches a connection to a compressing pipe: the level in use and the byte counts that
/// /routez shows. The core reads the feature, never the pipe's type.
/// </summary>
public interface ICompressionFeature
{
    /// <summary>The level the writer uses; setting it takes effect from the next flush (an RTT-driven mode changes it on each PONG).</summary>
    string Mode { get; set; }

    long BytesOutUncompressed { get; }

    long BytesOutCompressed { get; }

    long BytesInCompressed { get; }

    long BytesInUncompressed { get; }
}
