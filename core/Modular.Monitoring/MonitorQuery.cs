using System.Globalization;

namespace Modular.Monitoring;

/// <summary>
/// Decoding of monitoring query parameters with nats-server's rules and error texts: booleans by Go's
/// ParseBool, integers by Atoi/ParseUint; an absent or empty parameter gives the default; a bad one
/// throws <see cref="MonitorBadRequestException"/> (HTTP 400).
/// </summary>
public static class MonitorQuery
{
    public static bool Bool(QueryString query, string name)
    {
        string text = query.Get(name);
        if (text.Length == 0)
        {
            return false;
        }

        if (!GoFormat.TryParseBool(text, out bool value))
        {
            throw new MonitorBadRequestException(
                $"Error decoding boolean for '{name}': strconv.ParseBool: parsing {GoFormat.Quote(text)}: invalid syntax");
        }

        return value;
    }

    /// <summary>A signed integer (Go's Atoi: optional sign, decimal digits). Values beyond <see cref="int"/> are clamped.</summary>
    public static int Int(QueryString query, string name)
    {
        string text = query.Get(name);
        if (text.Length == 0)
        {
            return 0;
        }

        if (!IsSignedDigits(text))
        {
            throw new MonitorBadRequestException(
                $"Error decoding int for '{name}': strconv.Atoi: parsing {GoFormat.Quote(text)}: invalid syntax");
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw new MonitorBadRequestException(
                $"Error decoding int for '{name}': strconv.Atoi: parsing {GoFormat.Quote(text)}: value out of range");
        }

        return (int)Math.Clamp(value, int.MinValue, int.MaxValue);
    }

    /// <summary>An unsigned 64-bit integer (Go's ParseUint base 10: digits only).</summary>
    public static ulong UInt64(QueryString query, string name)
    {
        string text = query.Get(name);
        if (text.Length == 0)
        {
            return 0;
        }

        bool digits = text.All(char.IsAsciiDigit);
        if (!digits || !ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            string why = digits ? "value out of range" : "invalid syntax";
            throw new MonitorBadRequestException(
                $"Error decoding uint64 for '{name}': strconv.ParseUint: parsing {GoFormat.Quote(text)}: {why}");
        }

        return value;
    }

    /// <summary>
    /// The <c>subs</c> parameter of /connz and /routez: "detail" (any case) asks for details,
    /// otherwise it is a boolean.
    /// </summary>
    public static (bool Subs, bool Detail) Subs(QueryString query)
    {
        if (string.Equals(query.Get("subs"), "detail", StringComparison.OrdinalIgnoreCase))
        {
            return (false, true);
        }

        return (Bool(query, "subs"), false);
    }

    private static bool IsSignedDigits(string text)
    {
        int start = text[0] is '+' or '-' ? 1 : 0;
        if (start == text.Length)
        {
            return false;
        }

        for (int i = start; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
