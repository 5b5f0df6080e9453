namespace Modular.Abstractions.Settings;

/// <summary>
/// The one "did you mean" of the configuration: the known key closest to a key that is not known,
/// for the core's tables and plugins' settings alike. Case does not count; a suggestion is made
/// only when the key is a near miss (at most 2 edits, or a quarter of its length).
/// </summary>
public static class KeySuggester
{
    /// <summary>The closest of <paramref name="knownKeys"/> to <paramref name="key"/>, or null when none is near.</summary>
    public static string? Suggest(string key, IEnumerable<string> knownKeys)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var known in knownKeys)
        {
            var distance = EditDistance(key, known);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = known;
            }
        }

        return bestDistance <= Math.Max(2, key.Length / 4) ? best : null;
    }

    /// <summary>Levenshtein distance, ignoring case.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
