using Modular.Plugins.S2.Codec;

namespace Modular.Fuzz.Targets;

/// <summary>
/// The S2 block decoder on arbitrary bytes (a block decodes or fails with
/// <see cref="InvalidDataException"/>), and the block encoder at every level on the same bytes as
/// data: what it writes must decode back to them.
/// </summary>
public sealed class S2BlockTarget : IFuzzTarget
{
    private readonly S2BlockEncoder _encoder = new();

    public void Run(byte[] input)
    {
        try
        {
            _ = S2Block.Decode(input, maxDecodedLength: 1 << 20);
        }
        catch (InvalidDataException)
        {
        }

        var encoded = new byte[S2Block.MaxEncodedLength(input.Length)];
        foreach (var snappy in new[] { false, true })
        {
            foreach (var level in Enum.GetValues<S2Level>())
            {
                if (level == S2Level.Uncompressed)
                {
                    continue;
                }

                var length = _encoder.Encode(input, encoded, level, snappy);
                var decoded = S2Block.Decode(encoded.AsSpan(0, length));
                if (!decoded.AsSpan().SequenceEqual(input))
                {
                    throw new FuzzFinding($"a block encoded at {level} (snappy {snappy}) decodes to {decoded.Length} other bytes than its {input.Length}");
                }
            }
        }
    }
}
