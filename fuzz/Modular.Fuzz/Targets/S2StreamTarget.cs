using System.Buffers;
using Modular.Fuzz.Feeding;
using Modular.Plugins.S2.Codec;

namespace Modular.Fuzz.Targets;

/// <summary>
/// The S2 stream decoder on arbitrary bytes, whole and fed read by read as a route's pipe feeds
/// it: both decode the same bytes or both fail with <see cref="InvalidDataException"/>. And the
/// stream encoder at every level on the same bytes as data: its stream decodes back to them.
/// </summary>
public sealed class S2StreamTarget : IFuzzTarget
{
    public void Run(byte[] input)
    {
        var whole = Outcome(() => S2StreamDecoder.DecodeAll(input));
        var fed = Outcome(() => DecodeFed(input));
        if (whole != fed)
        {
            throw new FuzzFinding($"decoded whole: {whole}; fed read by read: {fed}");
        }

        foreach (var snappy in new[] { false, true })
        {
            foreach (var level in Enum.GetValues<S2Level>())
            {
                var stream = new S2StreamEncoder(level, snappy).EncodeToArray(input);
                if (!S2StreamDecoder.DecodeAll(stream).AsSpan().SequenceEqual(input))
                {
                    throw new FuzzFinding($"a stream encoded at {level} (snappy {snappy}) does not decode to its input");
                }
            }
        }
    }

    private static byte[] DecodeFed(byte[] input)
    {
        var decoder = new S2StreamDecoder();
        var output = new ArrayBufferWriter<byte>();
        var ends = Chunks.ReadEnds(input);
        var start = 0;
        foreach (var end in ends)
        {
            start += (int)decoder.Decode(Chunks.Sequence(input, ends, start, end), output);
        }

        decoder.ThrowIfIncomplete(input.Length - start);
        return output.WrittenSpan.ToArray();
    }

    private static string Outcome(Func<byte[]> decode)
    {
        try
        {
            var bytes = decode();
            return $"{bytes.Length} bytes, crc {Crc32C.Compute(bytes):x8}";
        }
        catch (InvalidDataException)
        {
            return "corrupt";
        }
    }
}
