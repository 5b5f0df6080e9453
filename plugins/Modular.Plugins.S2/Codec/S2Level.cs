namespace Modular.Plugins.S2.Codec;

/// <summary>How a writer encodes its chunks (nats-server's s2_uncompressed / s2_fast / s2_better / s2_best).</summary>
public enum S2Level
{
    /// <summary>Uncompressed chunks only (type 0x01): framing and checksums, no compression.</summary>
    Uncompressed,

    /// <summary>Fastest: one 4-byte hash table, skipping ahead over incompressible input.</summary>
    Fast,

    /// <summary>Two hash tables (long and short matches) and a check for the last offset.</summary>
    Better,

    /// <summary>As <see cref="Better"/>, also trying one position ahead for a longer match, and indexing every position.</summary>
    Best,
}
