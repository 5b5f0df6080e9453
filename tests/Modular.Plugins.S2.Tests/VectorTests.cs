using System.Buffers;
using System.IO.Pipelines;
using Modular.Plugins.S2.Codec;
using Modular.Plugins.S2.Pipes;
using Modular.Plugins.S2.Tests.Support;

namespace Modular.Plugins.S2.Tests;

/// <summary>Every golden vector of the reference Go encoder decodes to its raw file exactly.</summary>
public sealed class VectorTests
{
    public static TheoryData<string> Blocks => Vectors.Names("block");

    public static TheoryData<string> Streams => Vectors.Names("stream");

    [Fact]
    public void The_vector_set_is_complete()
    {
        // 7 inputs x (4 block encoders + 5 stream levels x 2 flush styles)
        Assert.Equal(98, Vectors.List.Count);
        Assert.Equal(28, Vectors.List.Count(v => v.Kind == "block"));
        Assert.Equal(70, Vectors.List.Count(v => v.Kind == "stream"));
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Block_vector_decodes_exactly(string name)
    {
        var vector = Vectors.Get(name);
        var raw = Vectors.Read(vector.Raw);
        Assert.Equal(vector.RawLength, raw.Length);
        var block = Vectors.Read(vector.Compressed);
        Assert.Equal(raw.Length, S2Block.GetDecodedLength(block));
        Assert.True(raw.AsSpan().SequenceEqual(S2Block.Decode(block)), $"{name} decoded differently");
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Stream_vector_decodes_exactly(string name)
    {
        var vector = Vectors.Get(name);
        var raw = Vectors.Read(vector.Raw);
        var stream = Vectors.Read(vector.Compressed);
        Assert.True(raw.AsSpan().SequenceEqual(S2StreamDecoder.DecodeAll(stream)), $"{name} decoded differently");
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task Stream_vector_decodes_exactly_through_the_pipe_reader_in_random_pieces(string name)
    {
        var vector = Vectors.Get(name);
        var raw = Vectors.Read(vector.Raw);
        var stream = Vectors.Read(vector.Compressed);
        var inner = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var reader = new S2PipeReader(inner.Reader);
        var random = new Random(name.Length);
        var feed = Task.Run(async () =>
        {
            for (var offset = 0; offset < stream.Length;)
            {
                var n = Math.Min(stream.Length - offset, random.Next(1, 200_000));
                await inner.Writer.WriteAsync(stream.AsMemory(offset, n));
                offset += n;
            }

            await inner.Writer.CompleteAsync();
        });

        var decoded = await PipeTests.ReadToEndAsync(reader).WaitAsync(TimeSpan.FromSeconds(20));
        await feed;
        Assert.True(raw.AsSpan().SequenceEqual(decoded), $"{name} decoded differently through the pipe");
    }

    [Fact]
    public void Per_flush_vectors_are_concatenated_streams_each_with_its_identifier()
    {
        foreach (var vector in Vectors.List.Where(v => v.Encoder.EndsWith("-per-flush", StringComparison.Ordinal) && v.RawLength > 0))
        {
            var stream = Vectors.Read(vector.Compressed);
            var identifiers = CountChunks(stream, S2Stream.ChunkStreamIdentifier);
            Assert.Equal(vector.Flushes, identifiers);
        }
    }

    internal static int CountChunks(ReadOnlySpan<byte> stream, byte type)
    {
        var count = 0;
        while (stream.Length >= 4)
        {
            var length = stream[1] | (stream[2] << 8) | (stream[3] << 16);
            if (stream[0] == type)
            {
                count++;
            }

            stream = stream[(4 + length)..];
        }

        return count;
    }

    internal static List<(byte Type, int Length)> Chunks(ReadOnlySpan<byte> stream)
    {
        var chunks = new List<(byte, int)>();
        while (stream.Length >= 4)
        {
            var length = stream[1] | (stream[2] << 8) | (stream[3] << 16);
            chunks.Add((stream[0], length));
            stream = stream[(4 + length)..];
        }

        Assert.True(stream.IsEmpty, "a chunk runs past the end");
        return chunks;
    }
}
