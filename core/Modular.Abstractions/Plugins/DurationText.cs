using System.Globalization;

namespace Modular.Abstractions.Plugins;

/// <summary>Parses durations as the configuration writes them: "500ms", "30s", "2m", "1h30m" (units ms, s, m, h).</summary>
internal static class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var span = text.Trim().AsSpan();
        if (span.IsEmpty)
        {
            return false;
        }

        var total = 0.0;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[digits..];
            double unit;
            if (span.StartsWith("ms", StringComparison.Ordinal))
            {
                unit = 0.001;
                span = span[2..];
            }
            else if (!span.IsEmpty && span[0] is 's' or 'm' or 'h')
            {
                unit = span[0] switch { 's' => 1, 'm' => 60, _ => 3600 };
                span = span[1..];
            }
            else
            {
                return false;
            }

            total += number * unit;
        }

        if (total > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(total);
        return true;
    }
}
