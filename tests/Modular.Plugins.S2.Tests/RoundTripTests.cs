using Modular.Plugins.S2.Codec;
using Modular.Plugins.S2.Tests.Support;

namespace Modular.Plugins.S2.Tests;

/// <summary>Our encoder's output, at every level, decodes to the input with our decoder; its framing is what the Go reader expects.</summary>
public sealed class RoundTripTests
{
    public static TheoryData<S2Level> Levels => new(S2Level.Uncompressed, S2Level.Fast, S2Level.Better, S2Level.Best);

    private static IEnumerable<(string Name, byte[] Data)> Inputs() =>
        Corpus.Shapes().Concat(Vectors.RawFiles.Select(file => (file, Vectors.Read(file))));

    [Theory]
    [MemberData(nameof(Levels))]
    public void Blocks_round_trip_at_every_level(S2Level level)
    {
        var encoder = new S2BlockEncoder();
        foreach (var (name, data) in Inputs().Where(i => i.Data.Length <= S2Block.MaxBlockSize))
        {
            foreach (var snappy in new[] { false, true })
            {
                var block = new byte[S2Block.MaxEncodedLength(data.Length)];
                var n = encoder.Encode(data, block, level, snappy);
                var decoded = S2Block.Decode(block.AsSpan(0, n));
                Assert.True(data.AsSpan().SequenceEqual(decoded), $"{name} at {level} (snappy {snappy}) did not round-trip");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void Streams_round_trip_at_every_level_with_the_framing_nats_server_writes(S2Level level)
    {
        // s2_fast uses Snappier's block encoder by default; our own fast encoder is checked too.
        foreach (var encoder in new[] { new S2StreamEncoder(level), new S2StreamEncoder(level) { UseSnappierForFast = false } })
        {
            StreamsRoundTrip(encoder, level);
        }
    }

    private static void StreamsRoundTrip(S2StreamEncoder encoder, S2Level level)
    {
        foreach (var (name, data) in Inputs())
        {
            var stream = encoder.EncodeToArray(data);
            Assert.True(data.AsSpan().SequenceEqual(S2StreamDecoder.DecodeAll(stream)), $"{name} at {level} did not round-trip");
            if (data.Length == 0)
            {
                Assert.Empty(stream); // as the Go writer: no data, no bytes
                continue;
            }

            Assert.True(stream.AsSpan(0, 10).SequenceEqual(S2Stream.S2Identifier), "the stream starts with S2sTwO");
            var chunks = VectorTests.Chunks(stream);
            Assert.Single(chunks, c => c.Type == S2Stream.ChunkStreamIdentifier);
            Assert.Equal((data.Length + S2Stream.WriterChunkSize - 1) / S2Stream.WriterChunkSize, chunks.Count - 1);
            Assert.All(chunks.Skip(1), c => Assert.True(c.Type is S2Stream.ChunkCompressed or S2Stream.ChunkUncompressed));
            if (level == S2Level.Uncompressed)
            {
                Assert.All(chunks.Skip(1), c => Assert.Equal(S2Stream.ChunkUncompressed, c.Type));
            }
        }
    }

    [Fact]
    public void Snappy_compatible_streams_use_the_snappy_identifier_and_64k_chunks()
    {
        var data = Corpus.JsonRoute(300_000);
        var stream = new S2StreamEncoder(S2Level.Fast, snappyCompatible: true).EncodeToArray(data);
        Assert.True(stream.AsSpan(0, 10).SequenceEqual(S2Stream.SnappyIdentifier));
        Assert.Equal(data, S2StreamDecoder.DecodeAll(stream));
    }

    [Fact]
    public void Compression_ratios_are_ordered_by_level_on_compressible_input_and_random_input_stays_raw()
    {
        var json = Corpus.JsonRoute(1_000_000);
        var sizes = new Dictionary<S2Level, int>();
        foreach (var level in new[] { S2Level.Uncompressed, S2Level.Fast, S2Level.Better, S2Level.Best })
        {
            sizes[level] = new S2StreamEncoder(level).EncodeToArray(json).Length;
        }

        Assert.True(sizes[S2Level.Fast] < sizes[S2Level.Uncompressed] / 2, $"fast: {sizes[S2Level.Fast]} of {json.Length}");
        Assert.True(sizes[S2Level.Better] <= sizes[S2Level.Fast], $"better {sizes[S2Level.Better]} vs fast {sizes[S2Level.Fast]}");
        Assert.True(sizes[S2Level.Best] <= sizes[S2Level.Better], $"best {sizes[S2Level.Best]} vs better {sizes[S2Level.Better]}");

        var random = Corpus.Random(500_000);
        var stream = new S2StreamEncoder(S2Level.Best).EncodeToArray(random);
        Assert.All(VectorTests.Chunks(stream).Skip(1), c => Assert.Equal(S2Stream.ChunkUncompressed, c.Type));
    }

    [Fact]
    public void Crc32C_matches_the_standard_check_value_and_the_mask()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
        var c = Crc32C.Compute("123456789"u8);
        Assert.Equal(unchecked(((c >> 15) | (c << 17)) + 0xA282EAD8u), Crc32C.Masked("123456789"u8));
    }
}
