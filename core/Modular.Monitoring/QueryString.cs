using System.Text;

namespace Modular.Monitoring;

/// <summary>
/// The parameters of a request's query, parsed as Go's <c>url.ParseQuery</c> does: pairs split on
/// '&amp;', '+' read as a space, percent escapes decoded; a pair with a bad escape or a ';' is
/// dropped. <see cref="Get"/> returns the first value, like Go's <c>Values.Get</c>.
/// </summary>
public sealed class QueryString
{
    public static readonly QueryString Empty = new(new Dictionary<string, List<string>>(StringComparer.Ordinal));

    private readonly Dictionary<string, List<string>> _values;

    private QueryString(Dictionary<string, List<string>> values) => _values = values;

    /// <summary>The parameter names present.</summary>
    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>Parses the text after '?' (a leading '?' is ignored).</summary>
    public static QueryString Parse(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return Empty;
        }

        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string pair in query.TrimStart('?').Split('&'))
        {
            if (pair.Length == 0 || pair.Contains(';'))
            {
                continue;
            }

            int eq = pair.IndexOf('=');
            string rawKey = eq < 0 ? pair : pair[..eq];
            string rawValue = eq < 0 ? "" : pair[(eq + 1)..];
            if (!TryUnescape(rawKey, plusIsSpace: true, out string? key) || !TryUnescape(rawValue, plusIsSpace: true, out string? value))
            {
                continue;
            }

            if (!values.TryGetValue(key, out List<string>? list))
            {
                list = new List<string>(1);
                values[key] = list;
            }

            list.Add(value);
        }

        return new QueryString(values);
    }

    /// <summary>The first value of <paramref name="name"/>, or "" when absent (Go's <c>Values.Get</c>).</summary>
    public string Get(string name) => _values.TryGetValue(name, out List<string>? list) && list.Count > 0 ? list[0] : "";

    public bool Has(string name) => _values.ContainsKey(name);

    public IReadOnlyList<string> GetAll(string name) =>
        _values.TryGetValue(name, out List<string>? list) ? list : Array.Empty<string>();

    /// <summary>Percent-decodes <paramref name="text"/> as UTF-8; false on a malformed escape or invalid UTF-8.</summary>
    internal static bool TryUnescape(string text, bool plusIsSpace, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? result)
    {
        if (text.IndexOf('%') < 0 && (!plusIsSpace || text.IndexOf('+') < 0))
        {
            result = text;
            return true;
        }

        var bytes = new List<byte>(text.Length);
        int runStart = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : '\0';
            bool special = i == text.Length || c == '%' || (c == '+' && plusIsSpace);
            if (!special)
            {
                continue;
            }

            // Flush the plain characters before this one as UTF-8.
            if (i > runStart)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text, runStart, i - runStart));
            }

            runStart = i + 1;
            if (i == text.Length)
            {
                break;
            }

            if (c == '+')
            {
                bytes.Add((byte)' ');
                continue;
            }

            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                result = null;
                return false;
            }

            bytes.Add((byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
            i += 2;
            runStart = i + 1;
        }

        try
        {
            result = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            result = null;
            return false;
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
