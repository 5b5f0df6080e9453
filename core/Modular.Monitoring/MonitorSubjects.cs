namespace Modular.Monitoring;

/// <summary>
/// Subject checks for the <c>test</c> parameter of /subsz, on strings and without touching any
/// subject index (so a monitoring query never changes match counters or caches).
/// </summary>
public static class MonitorSubjects
{
    /// <summary>A publish subject: non-empty tokens, none of them a lone '*' or '>'.</summary>
    public static bool IsValidLiteral(string subject)
    {
        if (subject.Length == 0)
        {
            return false;
        }

        foreach (string token in subject.Split('.'))
        {
            if (token.Length == 0 || token is "*" or ">")
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when a message published on <paramref name="literal"/> would reach a subscription on <paramref name="pattern"/>.</summary>
    public static bool Matches(string literal, string pattern)
    {
        string[] subject = literal.Split('.');
        string[] filter = pattern.Split('.');
        for (int i = 0; i < filter.Length; i++)
        {
            if (filter[i] == ">")
            {
                return i < subject.Length;
            }

            if (i >= subject.Length || (filter[i] != "*" && filter[i] != subject[i]))
            {
                return false;
            }
        }

        return filter.Length == subject.Length;
    }
}
