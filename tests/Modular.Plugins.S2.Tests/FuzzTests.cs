using System.Diagnostics;
using System.IO.Pipelines;
using Modular.Plugins.S2.Codec;
using Modular.Plugins.S2.Pipes;
using Modular.Plugins.S2.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Plugins.S2.Tests;

/// <summary>
/// The decoder fed truncated and corrupted input (a bounded, seeded fuzz): every input either
/// decodes or fails with <see cref="InvalidDataException"/> — never another exception, a hang or a crash.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Mutations = 20_000;
    private static readonly TimeSpan TimeCap = TimeSpan.FromSeconds(8);

    private static List<byte[]> StreamSeeds()
    {
        var json = Corpus.JsonRoute(6_000, seed: 3);
        var seeds = new List<byte[]>();
        foreach (var level in new[] { S2Level.Uncompressed, S2Level.Fast, S2Level.Better, S2Level.Best })
        {
            seeds.Add(new S2StreamEncoder(level).EncodeToArray(json));
        }

        seeds.Add(new S2StreamEncoder(S2Level.Fast, snappyCompatible: true).EncodeToArray(json));
        seeds.Add([.. seeds[1], .. new byte[] { 0xFE, 3, 0, 0, 1, 2, 3, 0x99, 1, 0, 0, 9 }, .. seeds[2]]); // padding, skippable, two streams
        seeds.AddRange(Vectors.List
            .Where(v => v.Kind == "stream" && new FileInfo(Path.Combine(Vectors.Directory, v.Compressed)).Length is > 0 and < 16_000)
            .Select(v => Vectors.Read(v.Compressed)));
        return seeds;
    }

    private static List<byte[]> BlockSeeds()
    {
        var json = Corpus.JsonRoute(6_000, seed: 4);
        var encoder = new S2BlockEncoder();
        var seeds = new List<byte[]>();
        foreach (var level in new[] { S2Level.Fast, S2Level.Better, S2Level.Best })
        {
            var block = new byte[S2Block.MaxEncodedLength(json.Length)];
            seeds.Add(block[..encoder.Encode(json, block, level)]);
        }

        seeds.AddRange(Vectors.List
            .Where(v => v.Kind == "block" && new FileInfo(Path.Combine(Vectors.Directory, v.Compressed)).Length is > 0 and < 16_000)
            .Select(v => Vectors.Read(v.Compressed)));
        return seeds;
    }

    internal static byte[] Mutate(byte[] seed, Random random)
    {
        var data = seed.ToList();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && data.Count > 0; e++)
        {
            var at = random.Next(data.Count);
            switch (random.Next(8))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2:
                    data.RemoveRange(at, data.Count - at); // truncate
                    break;
                case 3:
                    data.InsertRange(at, Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256)));
                    break;
                case 4:
                    data.RemoveRange(at, Math.Min(random.Next(1, 64), data.Count - at));
                    break;
                case 5:
                    // a chunk header's type or length (the first chunk after the identifier, or anywhere)
                    var header = random.Next(2) == 0 && data.Count > 14 ? 10 : at;
                    data[Math.Min(header + random.Next(4), data.Count - 1)] = (byte)random.Next(256);
                    break;
                case 6:
                    var length = Math.Min(random.Next(1, 256), data.Count - at);
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, length)); // duplicate a piece
                    break;
                default:
                    data[at] = random.Next(3) switch { 0 => 0x00, 1 => 0xFF, _ => (byte)(data[at] + 1) }; // boundary values
                    break;
            }
        }

        return data.ToArray();
    }

    [Fact]
    public void Stream_decoder_survives_20000_mutations()
    {
        var seeds = StreamSeeds();
        var random = new Random(20_240_501);
        var clock = Stopwatch.StartNew();
        int decoded = 0, rejected = 0, i;
        for (i = 0; i < Mutations && clock.Elapsed < TimeCap; i++)
        {
            var input = Mutate(seeds[random.Next(seeds.Count)], random);
            try
            {
                S2StreamDecoder.DecodeAll(input);
                decoded++;
            }
            catch (InvalidDataException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                Assert.StartsWith("S2 ", ex.Message, StringComparison.Ordinal);
                rejected++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"mutation {i} threw {ex.GetType().Name}: {ex.Message}\ninput: {Convert.ToHexString(input)}");
            }
        }

        output.WriteLine($"{i} mutations in {clock.ElapsedMilliseconds} ms: {rejected} rejected, {decoded} decoded");
        Assert.True(i >= 2_000, $"only {i} mutations ran within the time cap");
        Assert.True(rejected > i / 2, "most mutations must be caught (CRC, lengths, offsets)");
    }

    [Fact]
    public void Block_decoder_survives_20000_mutations()
    {
        var seeds = BlockSeeds();
        var random = new Random(77);
        var clock = Stopwatch.StartNew();
        int decoded = 0, rejected = 0, i;
        for (i = 0; i < Mutations && clock.Elapsed < TimeCap; i++)
        {
            var input = Mutate(seeds[random.Next(seeds.Count)], random);
            try
            {
                S2Block.Decode(input);
                decoded++;
            }
            catch (InvalidDataException)
            {
                rejected++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"mutation {i} threw {ex.GetType().Name}: {ex.Message}\ninput: {Convert.ToHexString(input)}");
            }
        }

        output.WriteLine($"{i} mutations in {clock.ElapsedMilliseconds} ms: {rejected} rejected, {decoded} decoded");
        Assert.True(i >= 2_000, $"only {i} mutations ran within the time cap");
    }

    [Fact]
    public async Task Pipe_reader_ends_every_truncated_or_corrupt_stream_with_an_error_never_a_hang()
    {
        var seeds = StreamSeeds();
        var random = new Random(5);
        var clock = Stopwatch.StartNew();
        int failed = 0, i;
        for (i = 0; i < 600 && clock.Elapsed < TimeCap; i++)
        {
            var seed = seeds[random.Next(seeds.Count)];
            var input = i % 2 == 0 ? seed[..random.Next(1, seed.Length)] : Mutate(seed, random);
            var inner = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
            await inner.Writer.WriteAsync(input);
            await inner.Writer.CompleteAsync();
            var reader = new S2PipeReader(inner.Reader);
            try
            {
                await PipeTests.ReadToEndAsync(reader).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (InvalidDataException)
            {
                failed++;
            }
        }

        output.WriteLine($"{i} inputs, {failed} ended with InvalidDataException");
        Assert.True(failed > i / 2);
    }

    [Fact]
    public void Known_corruptions_have_clear_messages()
    {
        var good = new S2StreamEncoder(S2Level.Fast).EncodeToArray(Corpus.JsonRoute(5_000));
        string Error(byte[] input) => Assert.Throws<InvalidDataException>(() => S2StreamDecoder.DecodeAll(input)).Message;

        Assert.Contains("truncated", Error(good[..^3]), StringComparison.Ordinal);
        Assert.Contains("not the stream identifier", Error(good[10..]), StringComparison.Ordinal);
        var badCrc = (byte[])good.Clone();
        badCrc[15] ^= 1;
        Assert.Contains("checksum mismatch", Error(badCrc), StringComparison.Ordinal);
        var reserved = (byte[])good.Clone();
        reserved[10] = 0x05;
        Assert.Contains("reserved and unskippable", Error(reserved), StringComparison.Ordinal);
        var magic = (byte[])good.Clone();
        magic[4] = (byte)'X';
        Assert.Contains("neither", Error(magic), StringComparison.Ordinal);

        // A repeat as the first copy of a block, and an offset past what was decoded.
        Assert.Contains("repeat offset before any copy", Assert.Throws<InvalidDataException>(() => S2Block.Decode([8, 0, (byte)'a', 0x01, 0x00, 0, 0, 0])).Message, StringComparison.Ordinal);
        Assert.Contains("offset 5 is outside", Assert.Throws<InvalidDataException>(() => S2Block.Decode([5, 0, (byte)'a', 0x01, 0x05])).Message, StringComparison.Ordinal);

        // Over Snappy's 64 KiB after sNaPpY.
        var big = new S2StreamEncoder(S2Level.Uncompressed).EncodeToArray(new byte[70_000]);
        S2Stream.SnappyIdentifier.CopyTo(big);
        Assert.Contains("the limit is", Error(big), StringComparison.Ordinal);
    }
}
