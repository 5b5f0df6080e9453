namespace Modular.Core.Subjects;

/// <summary>
/// Token-by-token comparison of a subscription pattern with a subject, without the trie. The index
/// uses it to find which cached results a wildcard subscription affects; permission checks can use
/// it too. Allocation-free.
/// </summary>
public static class SubjectMatcher
{
    /// <summary>
    /// True when <paramref name="pattern"/> (which may hold <c>*</c> and <c>&gt;</c> tokens) matches
    /// <paramref name="subject"/>, whose tokens are all compared literally. Both are assumed to be
    /// valid subjects; an empty subject matches nothing.
    /// </summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> subject)
    {
        if (pattern.IsEmpty || subject.IsEmpty)
        {
            return false;
        }

        while (true)
        {
            bool patternLast = NextToken(ref pattern, out ReadOnlySpan<byte> patternToken);

            // '>' takes the rest, and the loop only gets here with at least one subject token left.
            if (patternToken.Length == 1 && patternToken[0] == (byte)'>')
            {
                return true;
            }

            bool subjectLast = NextToken(ref subject, out ReadOnlySpan<byte> subjectToken);
            bool wildcard = patternToken.Length == 1 && patternToken[0] == (byte)'*';
            if (!wildcard && !patternToken.SequenceEqual(subjectToken))
            {
                return false;
            }

            if (patternLast || subjectLast)
            {
                return patternLast && subjectLast;
            }
        }
    }

    /// <summary>Splits off the first token; returns true when it was the last one.</summary>
    internal static bool NextToken(scoped ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> token)
    {
        int dot = rest.IndexOf((byte)'.');
        if (dot < 0)
        {
            token = rest;
            rest = default;
            return true;
        }

        token = rest[..dot];
        rest = rest[(dot + 1)..];
        return false;
    }
}
