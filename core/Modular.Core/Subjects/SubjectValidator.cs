namespace Modular.Core.Subjects;

/// <summary>
/// Checks subjects and queue names as the NATS protocol defines them (protocol.md §1.7). Every
/// method works on raw UTF-8 bytes and allocates nothing, so it can run on the hot path.
/// </summary>
public static class SubjectValidator
{
    private const byte Separator = (byte)'.';
    private const byte SingleWildcard = (byte)'*';
    private const byte FullWildcard = (byte)'>';

    /// <summary>
    /// True when <paramref name="subject"/> is a valid subscription subject: non-empty, no empty
    /// token, no whitespace, and a whole-token <c>&gt;</c> only as the last token.
    /// </summary>
    public static bool IsValidSubscribeSubject(ReadOnlySpan<byte> subject)
    {
        if (subject.IsEmpty)
        {
            return false;
        }

        int tokenStart = 0;
        for (int i = 0; i < subject.Length; i++)
        {
            byte b = subject[i];
            if (IsWhitespace(b))
            {
                return false;
            }

            if (b == Separator)
            {
                int tokenLength = i - tokenStart;
                if (tokenLength == 0)
                {
                    return false;
                }

                // A '>' token closed by a separator has something after it.
                if (tokenLength == 1 && subject[tokenStart] == FullWildcard)
                {
                    return false;
                }

                tokenStart = i + 1;
            }
        }

        // A trailing separator leaves an empty last token.
        return tokenStart < subject.Length;
    }

    /// <summary>True when <paramref name="subject"/> is valid and has no wildcard tokens.</summary>
    public static bool IsValidPublishSubject(ReadOnlySpan<byte> subject) =>
        IsValidSubscribeSubject(subject) && IsLiteral(subject);

    /// <summary>
    /// True when no token of <paramref name="subject"/> is exactly <c>*</c> or <c>&gt;</c>.
    /// It does not check anything else; <c>foo*</c> and <c>a&gt;b</c> count as literal.
    /// </summary>
    public static bool IsLiteral(ReadOnlySpan<byte> subject)
    {
        int i = subject.IndexOfAny(SingleWildcard, FullWildcard);
        while (i >= 0)
        {
            bool startsToken = i == 0 || subject[i - 1] == Separator;
            bool endsToken = i == subject.Length - 1 || subject[i + 1] == Separator;
            if (startsToken && endsToken)
            {
                return false;
            }

            int next = subject[(i + 1)..].IndexOfAny(SingleWildcard, FullWildcard);
            i = next < 0 ? -1 : i + 1 + next;
        }

        return true;
    }

    /// <summary>True when <paramref name="queue"/> is a usable queue group name: non-empty, no whitespace.</summary>
    public static bool IsValidQueueName(ReadOnlySpan<byte> queue)
    {
        if (queue.IsEmpty)
        {
            return false;
        }

        foreach (byte b in queue)
        {
            if (IsWhitespace(b))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWhitespace(byte b) =>
        b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\f';
}
