using System.Buffers;

namespace Modular.Fuzz.Feeding;

/// <summary>
/// Cuts an input the way a socket delivers it: into reads of varying sizes, chosen by a PRNG
/// seeded from the input itself so a replay cuts it the same way. A parser that works on the
/// whole input must work the same on the input fed read by read, each buffer a sequence of the
/// reads not consumed yet (one segment each).
/// </summary>
public static class Chunks
{
    /// <summary>The ends of successive reads over <paramref name="input"/> (the last is its length).</summary>
    public static List<int> ReadEnds(byte[] input)
    {
        var state = 2166136261u;
        foreach (var b in input)
        {
            state = (state ^ b) * 16777619u;
        }

        var ends = new List<int>();
        var at = 0;
        while (at < input.Length)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            // Mostly small reads (to straddle every kind of boundary), sometimes a large one.
            var size = (state & 7) == 0 ? 1 + (int)(state >> 8) % 4096 : 1 + (int)(state >> 8) % 7;
            at = Math.Min(input.Length, at + size);
            ends.Add(at);
        }

        return ends;
    }

    /// <summary>The bytes from <paramref name="start"/> to <paramref name="end"/>, one segment per read they span.</summary>
    public static ReadOnlySequence<byte> Sequence(byte[] input, List<int> ends, int start, int end)
    {
        Segment? first = null;
        Segment? last = null;
        var from = start;
        foreach (var readEnd in ends)
        {
            if (readEnd <= from)
            {
                continue;
            }

            var to = Math.Min(readEnd, end);
            if (to <= from)
            {
                break;
            }

            var memory = input.AsMemory(from, to - from).ToArray();
            if (last is null)
            {
                first = last = new Segment(memory, 0);
            }
            else
            {
                last = last.Append(memory);
            }

            from = to;
            if (from >= end)
            {
                break;
            }
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
