using System.Buffers;
using System.Text;
using Modular.Core.Protocol;

namespace Modular.Fuzz.Feeding;

/// <summary>
/// One call of a resumable parser's TryParse on <paramref name="buffer"/>; on
/// <see cref="ParseStatus.Complete"/> or <see cref="ParseStatus.Error"/> it appends what it
/// parsed to <paramref name="trace"/>.
/// </summary>
public delegate ParseStatus ParseOne(ref ReadOnlySequence<byte> buffer, StringBuilder trace);

/// <summary>A parser's TryParse (the client and the route parser share this shape).</summary>
public delegate ParseStatus TryParseCommand<TCommand>(ref ReadOnlySequence<byte> buffer, out TCommand command, out ProtocolError error)
    where TCommand : allows ref struct;

/// <summary>Appends one parsed command's fields to the trace, and throws a finding where they contradict each other.</summary>
public delegate void RecordCommand<TCommand>(TCommand command, StringBuilder trace)
    where TCommand : allows ref struct;

/// <summary>
/// The oracle for a resumable parser: the same input parsed whole and fed read by read (see
/// <see cref="Chunks"/>) yields the same operations, the same error and the same unconsumed
/// rest; and every Complete consumes something.
/// </summary>
public static class ResumableParse
{
    /// <summary>One parse step that traces an error as such and a complete command through <paramref name="record"/>.</summary>
    public static ParseOne Tracing<TCommand>(TryParseCommand<TCommand> tryParse, RecordCommand<TCommand> record)
        where TCommand : allows ref struct =>
        (ref ReadOnlySequence<byte> buffer, StringBuilder trace) =>
        {
            var status = tryParse(ref buffer, out var command, out var error);
            if (status == ParseStatus.Error)
            {
                trace.Append("error ").Append(error).Append('\n');
            }
            else if (status == ParseStatus.Complete)
            {
                record(command, trace);
            }

            return status;
        };

    public static void Check(byte[] input, Func<ParseOne> newParser)
    {
        var whole = Whole(input, newParser());
        var fed = Fed(input, newParser());
        if (whole != fed)
        {
            throw new Targets.FuzzFinding($"parsed whole:\n{whole}\nparsed read by read:\n{fed}");
        }
    }

    private static string Whole(byte[] input, ParseOne parse)
    {
        var trace = new StringBuilder();
        var buffer = new ReadOnlySequence<byte>(input);
        var status = Drain(ref buffer, parse, trace);
        return trace.Append(status == ParseStatus.Error ? "(closed)" : $"rest {buffer.Length}").ToString();
    }

    private static string Fed(byte[] input, ParseOne parse)
    {
        var trace = new StringBuilder();
        var ends = Chunks.ReadEnds(input);
        var start = 0;
        foreach (var end in ends)
        {
            var buffer = Chunks.Sequence(input, ends, start, end);
            var status = Drain(ref buffer, parse, trace);
            if (status == ParseStatus.Error)
            {
                return trace.Append("(closed)").ToString();
            }

            start = end - (int)buffer.Length;
        }

        return trace.Append($"rest {input.Length - start}").ToString();
    }

    private static ParseStatus Drain(ref ReadOnlySequence<byte> buffer, ParseOne parse, StringBuilder trace)
    {
        while (true)
        {
            var before = buffer.Length;
            var status = parse(ref buffer, trace);
            if (status != ParseStatus.Complete)
            {
                return status;
            }

            if (buffer.Length >= before)
            {
                throw new Targets.FuzzFinding($"Complete consumed nothing ({before} bytes left): a connection would loop forever");
            }
        }
    }

    /// <summary>Printable form of a parsed field.</summary>
    public static string Show(ReadOnlySpan<byte> field) => Encoding.Latin1.GetString(field);

    public static string Show(ReadOnlySequence<byte> payload) => $"{payload.Length}:{Convert.ToHexString(payload.ToArray().AsSpan(0, (int)Math.Min(16, payload.Length)))}";
}
