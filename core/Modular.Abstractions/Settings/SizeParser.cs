using System.Globalization;

namespace Modular.Abstractions.Settings;

/// <summary>
/// The one size grammar of the configuration (core keys and plugin settings): byte sizes as the configuration writes them: a plain number of bytes ("1048576"), or a
/// number with a unit ("512B", "64KB", "1MB", "1MiB", "2GB", "1T"). Units are binary, as in
/// nats-server: K = KB = KiB = 1024. Case and a space before the unit do not matter.
/// </summary>
public static class SizeParser
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a size, is negative or does not fit a long.</summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (text is null)
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            return false;
        }

        if (!long.TryParse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        if (!TryGetMultiplier(span[digits..].TrimStart(), out var multiplier))
        {
            return false;
        }

        if (number > long.MaxValue / multiplier)
        {
            return false;
        }

        bytes = number * multiplier;
        return true;
    }

    private static bool TryGetMultiplier(ReadOnlySpan<char> unit, out long multiplier)
    {
        multiplier = 1;
        if (unit.IsEmpty || unit.Equals("B", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var shift = char.ToUpperInvariant(unit[0]) switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            'T' => 40,
            _ => -1,
        };
        if (shift < 0)
        {
            return false;
        }

        var rest = unit[1..];
        if (!(rest.IsEmpty
              || rest.Equals("B", StringComparison.OrdinalIgnoreCase)
              || rest.Equals("iB", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        multiplier = 1L << shift;
        return true;
    }
}
