using System.Globalization;

namespace Modular.Abstractions.Settings;

/// <summary>
/// The one duration grammar of the configuration, for the core's keys and plugins' settings alike:
/// durations written the Go way, as nats-server configurations do: one or more number-unit pairs
/// such as "30s", "2m", "500ms", "1h30m", "1.5s". Units: ns, us (or µs), ms, s, m, h. "0" alone
/// is zero. Negative durations are not accepted (a caller that reads them strips the sign).
/// </summary>
public static class DurationParser
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a duration or does not fit a <see cref="TimeSpan"/>.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text is null)
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        if (span.IsEmpty)
        {
            return false;
        }

        if (span is "0")
        {
            return true;
        }

        decimal totalTicks = 0;
        while (!span.IsEmpty)
        {
            var numberLength = 0;
            var dots = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.'))
            {
                if (span[numberLength] == '.')
                {
                    dots++;
                }

                numberLength++;
            }

            if (numberLength == 0 || dots > 1 || span[..numberLength] is ".")
            {
                return false;
            }

            if (!decimal.TryParse(span[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[numberLength..];
            var unitLength = 0;
            while (unitLength < span.Length && !char.IsAsciiDigit(span[unitLength]) && span[unitLength] != '.')
            {
                unitLength++;
            }

            if (!TryGetTicksPerUnit(span[..unitLength], out var ticksPerUnit))
            {
                return false;
            }

            span = span[unitLength..];
            totalTicks += number * ticksPerUnit;
            if (totalTicks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        duration = TimeSpan.FromTicks((long)decimal.Round(totalTicks, MidpointRounding.AwayFromZero));
        return true;
    }

    /// <summary>Formats a duration the way <see cref="TryParse"/> reads it, e.g. "1h30m", "500ms", "0s".</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var parts = new System.Text.StringBuilder();
        if (duration < TimeSpan.Zero)
        {
            parts.Append('-');
            duration = duration.Duration();
        }

        var hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            parts.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (duration.Minutes > 0)
        {
            parts.Append(duration.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        var subMinuteTicks = duration.Ticks % TimeSpan.TicksPerMinute;
        if (subMinuteTicks >= TimeSpan.TicksPerSecond)
        {
            var seconds = (decimal)subMinuteTicks / TimeSpan.TicksPerSecond;
            parts.Append(seconds.ToString("0.#######", CultureInfo.InvariantCulture)).Append('s');
        }
        else if (subMinuteTicks > 0)
        {
            var milliseconds = (decimal)subMinuteTicks / TimeSpan.TicksPerMillisecond;
            parts.Append(milliseconds.ToString("0.####", CultureInfo.InvariantCulture)).Append("ms");
        }

        return parts.ToString();
    }

    private static bool TryGetTicksPerUnit(ReadOnlySpan<char> unit, out decimal ticks)
    {
        ticks = unit switch
        {
            "ns" => 0.01m,
            "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
            "ms" => TimeSpan.TicksPerMillisecond,
            "s" => TimeSpan.TicksPerSecond,
            "m" => TimeSpan.TicksPerMinute,
            "h" => TimeSpan.TicksPerHour,
            _ => 0m,
        };
        return ticks != 0m;
    }
}
