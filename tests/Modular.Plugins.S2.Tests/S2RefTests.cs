using Modular.Plugins.S2.Codec;
using Modular.Plugins.S2.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Plugins.S2.Tests;

/// <summary>
/// Against the reference Go codec (s2ref): it decodes our streams and blocks at every level, and we
/// decode what it encodes. Needs s2ref (see Support/S2Ref); without it each test says so and passes,
/// and the golden vectors (VectorTests) are the check.
/// </summary>
public sealed class S2RefTests(ITestOutputHelper output)
{
    public static TheoryData<S2Level> Levels => RoundTripTests.Levels;

    private static IEnumerable<(string Name, byte[] Data)> Inputs() =>
        Corpus.Shapes().Where(s => s.Data.Length > 0).Concat(Vectors.RawFiles.Where(f => f != "empty.raw").Select(file => (file, Vectors.Read(file))));

    private bool Available()
    {
        if (S2Ref.PathOrNull is not null)
        {
            return true;
        }

        output.WriteLine("s2ref not available, checked against the golden vectors only: " + S2Ref.WhyUnavailable);
        return false;
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void S2ref_decodes_our_streams_at_every_level(S2Level level)
    {
        if (!Available())
        {
            return;
        }

        foreach (var encoder in new[] { new S2StreamEncoder(level), new S2StreamEncoder(level) { UseSnappierForFast = false } })
        {
            foreach (var (name, data) in Inputs())
            {
                var stream = encoder.EncodeToArray(data);
                Assert.True(data.AsSpan().SequenceEqual(S2Ref.Run(stream, "decode")), $"s2ref decoded our {level} stream of {name} differently (Snappier: {encoder.UseSnappierForFast})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void S2ref_decodes_our_per_flush_streams_concatenated(S2Level level)
    {
        if (!Available())
        {
            return;
        }

        var data = Corpus.JsonRoute(400_000);
        var encoder = new S2StreamEncoder(level);
        var wire = new MemoryStream();
        var random = new Random(1);
        for (var offset = 0; offset < data.Length;)
        {
            var n = Math.Min(data.Length - offset, random.Next(1, 40_000));
            wire.Write(encoder.EncodeToArray(data.AsSpan(offset, n)));
            offset += n;
        }

        Assert.True(data.AsSpan().SequenceEqual(S2Ref.Run(wire.ToArray(), "decode")));
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void S2ref_decodes_our_blocks(S2Level level)
    {
        if (!Available())
        {
            return;
        }

        var encoder = new S2BlockEncoder();
        foreach (var (name, data) in Inputs().Where(i => i.Data.Length <= S2Block.MaxBlockSize))
        {
            var block = new byte[S2Block.MaxEncodedLength(data.Length)];
            var n = encoder.Encode(data, block, level);
            Assert.True(data.AsSpan().SequenceEqual(S2Ref.Run(block[..n], "decode-block")), $"s2ref decoded our {level} block of {name} differently");
        }
    }

    [Theory]
    [InlineData("uncompressed")]
    [InlineData("fast")]
    [InlineData("better")]
    [InlineData("best")]
    [InlineData("snappy")]
    public void We_decode_what_s2ref_encodes(string level)
    {
        if (!Available())
        {
            return;
        }

        foreach (var (name, data) in Inputs())
        {
            var whole = S2Ref.Run(data, "encode", level);
            Assert.True(data.AsSpan().SequenceEqual(S2StreamDecoder.DecodeAll(whole)), $"{name} from s2ref {level}");
            var perFlush = S2Ref.Run(data, "encode", level, "7001");
            Assert.True(data.AsSpan().SequenceEqual(S2StreamDecoder.DecodeAll(perFlush)), $"{name} from s2ref {level} per flush");
        }
    }
}
