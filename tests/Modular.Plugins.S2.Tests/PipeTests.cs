using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Modular.Plugins.S2.Codec;
using Modular.Plugins.S2.Pipes;
using Modular.Plugins.S2.Tests.Support;

namespace Modular.Plugins.S2.Tests;

/// <summary>The route pipes: one S2 stream per flush, lazy reader for the switch-over, big chunks, errors, counters.</summary>
public sealed class PipeTests
{
    internal static async Task<byte[]> ReadToEndAsync(PipeReader reader)
    {
        var output = new MemoryStream();
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                output.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                await reader.CompleteAsync();
                return output.ToArray();
            }
        }
    }

    private static async Task<byte[]> DrainAsync(PipeReader reader)
    {
        var output = new MemoryStream();
        while (reader.TryRead(out var result))
        {
            foreach (var segment in result.Buffer)
            {
                output.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.Buffer.IsEmpty)
            {
                break;
            }
        }

        await Task.CompletedTask;
        return output.ToArray();
    }

    private static Pipe NewPipe(long pause = 0) => new(new PipeOptions(pauseWriterThreshold: pause, resumeWriterThreshold: pause / 2, useSynchronizationContext: false));

    [Fact]
    public async Task Each_flush_is_one_complete_stream_and_nothing_is_written_before_it()
    {
        var wire = NewPipe();
        var writer = new S2PipeWriter(wire.Writer, S2Level.Fast);
        var sent = new MemoryStream();
        for (var i = 0; i < 5; i++)
        {
            var batch = Corpus.JsonRoute(3_000 + (i * 1_000), seed: i);
            writer.Write(batch.AsSpan(0, 1000));
            writer.Write(batch.AsSpan(1000));
            Assert.False(wire.Reader.TryRead(out _), "nothing reaches the wire before the flush");
            await writer.FlushAsync();
            sent.Write(batch);

            var onWire = await DrainAsync(wire.Reader);
            Assert.True(onWire.AsSpan(0, 10).SequenceEqual(S2Stream.S2Identifier), "each flush starts a stream");
            Assert.Equal(1, VectorTests.CountChunks(onWire, S2Stream.ChunkStreamIdentifier));
            Assert.Equal(batch, S2StreamDecoder.DecodeAll(onWire));
        }

        await writer.FlushAsync(); // an empty flush writes nothing
        Assert.Empty(await DrainAsync(wire.Reader));
        Assert.Equal(sent.Length, writer.BytesBeforeCompression);
        Assert.True(writer.BytesAfterCompression < writer.BytesBeforeCompression / 2);
    }

    [Fact]
    public async Task WriteAsync_is_one_complete_stream_per_call_and_joins_bytes_written_before_it()
    {
        var wire = NewPipe();
        var writer = new S2PipeWriter(wire.Writer, S2Level.Fast);
        var first = Corpus.JsonRoute(6_000, seed: 1);
        await writer.WriteAsync(first.AsMemory()); // nothing buffered: compressed where it lies
        var onWire = await DrainAsync(wire.Reader);
        Assert.True(onWire.AsSpan(0, 10).SequenceEqual(S2Stream.S2Identifier), "the write starts a stream");
        Assert.Equal(1, VectorTests.CountChunks(onWire, S2Stream.ChunkStreamIdentifier));
        Assert.Equal(first, S2StreamDecoder.DecodeAll(onWire));

        var second = Corpus.JsonRoute(4_000, seed: 2);
        writer.Write(second.AsSpan(0, 1000)); // buffered bytes go first, in the same stream
        await writer.WriteAsync(second.AsMemory(1000));
        onWire = await DrainAsync(wire.Reader);
        Assert.Equal(1, VectorTests.CountChunks(onWire, S2Stream.ChunkStreamIdentifier));
        Assert.Equal(second, S2StreamDecoder.DecodeAll(onWire));

        await writer.WriteAsync(ReadOnlyMemory<byte>.Empty); // an empty write writes nothing
        Assert.Empty(await DrainAsync(wire.Reader));
        Assert.Equal(first.Length + second.Length, writer.BytesBeforeCompression);
    }

    [Fact]
    public async Task A_level_change_takes_effect_from_the_next_flush()
    {
        var wire = NewPipe();
        var writer = new S2PipeWriter(wire.Writer, S2Level.Uncompressed);
        var batch = Corpus.JsonRoute(20_000);
        writer.Write(batch);
        await writer.FlushAsync();
        var first = await DrainAsync(wire.Reader);
        Assert.All(VectorTests.Chunks(first).Skip(1), c => Assert.Equal(S2Stream.ChunkUncompressed, c.Type));

        writer.Level = S2Level.Best;
        writer.Write(batch);
        await writer.FlushAsync();
        var second = await DrainAsync(wire.Reader);
        Assert.All(VectorTests.Chunks(second).Skip(1), c => Assert.Equal(S2Stream.ChunkCompressed, c.Type));
        Assert.Equal([.. batch, .. batch], S2StreamDecoder.DecodeAll([.. first, .. second]));
    }

    [Fact]
    public async Task A_flush_over_1MiB_becomes_several_chunks_of_one_stream_and_round_trips_through_the_duplex_pipe()
    {
        var aToB = NewPipe();
        var bToA = NewPipe();
        var a = new S2DuplexPipe(new DuplexPipe(bToA.Reader, aToB.Writer), S2Level.Better);
        var b = new S2DuplexPipe(new DuplexPipe(aToB.Reader, bToA.Writer), S2Level.Fast);
        var payload = Corpus.JsonRoute(2_600_000);

        var reading = ReadExactlyAsync(b.Input, payload.Length);
        a.Output.Write(payload);
        await a.Output.FlushAsync();
        Assert.Equal(payload, await reading.WaitAsync(TimeSpan.FromSeconds(20)));

        var back = Encoding.ASCII.GetBytes("PING\r\n");
        var readingBack = ReadExactlyAsync(a.Input, back.Length);
        await b.Output.WriteAsync(back);
        Assert.Equal(back, await readingBack.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(payload.Length, a.BytesOutUncompressed);
        Assert.Equal(a.BytesOutCompressed, b.BytesInCompressed);
        Assert.Equal(payload.Length, b.BytesInUncompressed);
        Assert.Equal("s2_better", a.Mode);
        Assert.Equal("s2_fast", b.Mode);
    }

    [Fact]
    public async Task The_reader_reads_nothing_until_first_used_so_bytes_after_the_INFO_are_decoded()
    {
        // The peer's plain INFO, then (in the same read) the start of its S2 stream.
        var stream = new S2StreamEncoder(S2Level.Fast).EncodeToArray("INFO {\"compression\":\"s2_fast\"}\r\nRS+ $G foo\r\n"u8);
        var plain = "INFO {\"compression\":\"s2_fast\"}\r\n"u8.ToArray();
        var inner = NewPipe();
        await inner.Writer.WriteAsync(plain.Concat(stream[..7]).ToArray());

        var s2 = new S2PipeReader(inner.Reader);
        await Task.Delay(50);

        // The protocol parses the INFO line from the inner reader and leaves the rest unconsumed.
        var result = await inner.Reader.ReadAsync();
        var line = result.Buffer.PositionOf((byte)'\n')!.Value;
        Assert.Equal(plain, result.Buffer.Slice(0, result.Buffer.GetPosition(1, line)).ToArray());
        inner.Reader.AdvanceTo(result.Buffer.GetPosition(1, line));

        var reading = ReadExactlyAsync(s2, 44);
        await inner.Writer.WriteAsync(stream.AsMemory(7));
        var decoded = await reading.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("INFO {\"compression\":\"s2_fast\"}\r\nRS+ $G foo\r\n", Encoding.ASCII.GetString(decoded));
    }

    [Fact]
    public async Task A_4MiB_chunk_passes_through_an_inner_pipe_that_pauses_at_64KiB()
    {
        var data = Corpus.Random(4 << 20, seed: 9);
        var chunkData = new byte[S2Block.MaxEncodedLength(data.Length)];
        var n = new S2BlockEncoder().Encode(data, chunkData, S2Level.Fast);
        var stream = new MemoryStream();
        stream.Write(S2Stream.S2Identifier);
        var body = 4 + n;
        stream.Write([S2Stream.ChunkCompressed, (byte)body, (byte)(body >> 8), (byte)(body >> 16)]);
        stream.Write(BitConverter.GetBytes(Crc32C.Masked(data)));
        stream.Write(chunkData, 0, n);

        var inner = NewPipe(pause: 64 * 1024);
        var reader = new S2PipeReader(inner.Reader);
        var reading = ReadToEndAsync(reader);
        await inner.Writer.WriteAsync(stream.ToArray());
        await inner.Writer.CompleteAsync();
        Assert.Equal(data, await reading.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Corrupt_input_completes_the_reader_with_the_decoder_error()
    {
        var stream = new S2StreamEncoder(S2Level.Fast).EncodeToArray(Corpus.JsonRoute(10_000));
        stream[^1] ^= 0x40;
        var inner = NewPipe();
        var reader = new S2PipeReader(inner.Reader);
        var reading = ReadToEndAsync(reader);
        await inner.Writer.WriteAsync(stream);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reading.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.StartsWith("S2 ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_that_ends_inside_a_chunk_is_reported_as_truncated()
    {
        var stream = new S2StreamEncoder(S2Level.Fast).EncodeToArray(Corpus.JsonRoute(10_000));
        var inner = NewPipe();
        var reader = new S2PipeReader(inner.Reader);
        var reading = ReadToEndAsync(reader);
        await inner.Writer.WriteAsync(stream.AsMemory(0, stream.Length - 10));
        await inner.Writer.CompleteAsync();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reading.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completing_the_reader_stops_decoding_and_completes_the_inner_reader()
    {
        var inner = NewPipe();
        var reader = new S2PipeReader(inner.Reader);
        var pending = reader.ReadAsync();
        await Task.Delay(20);
        reader.CancelPendingRead();
        Assert.True((await pending).IsCanceled);
        await reader.CompleteAsync();
        await reader.Pump!.WaitAsync(TimeSpan.FromSeconds(5));

        // The inner reader is completed: a write now learns the reader is gone.
        var flush = await inner.Writer.WriteAsync(new byte[] { 1 });
        Assert.True(flush.IsCompleted);
    }

    [Fact]
    public async Task Completing_the_writer_sends_what_was_not_flushed_and_completes_the_inner_writer()
    {
        var wire = NewPipe();
        var writer = new S2PipeWriter(wire.Writer, S2Level.Fast);
        writer.Write("PONG\r\n"u8);
        await writer.CompleteAsync();
        var onWire = await ReadToEndAsync(wire.Reader);
        Assert.Equal("PONG\r\n"u8.ToArray(), S2StreamDecoder.DecodeAll(onWire));
    }

    private static async Task<byte[]> ReadExactlyAsync(PipeReader reader, int count)
    {
        var output = new MemoryStream();
        while (output.Length < count)
        {
            var result = await reader.ReadAsync();
            var take = result.Buffer.Slice(0, Math.Min(result.Buffer.Length, count - output.Length));
            foreach (var segment in take)
            {
                output.Write(segment.Span);
            }

            reader.AdvanceTo(take.End);
            if (result.IsCompleted && output.Length < count)
            {
                throw new EndOfStreamException();
            }
        }

        return output.ToArray();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
