using System.Globalization;
using System.Text;

namespace Modular.Monitoring;

/// <summary>
/// The text formats nats-server's monitoring JSON uses, which come from Go's standard library:
/// <c>time.Time</c> as RFC 3339 with trimmed nanoseconds, <c>time.Duration.String()</c>, the compact
/// uptime form ("1h2m3s"), Go's JSON float notation and <c>strconv</c> parsing rules.
/// </summary>
public static class GoFormat
{
    private const long NanosPerMicro = 1_000;
    private const long NanosPerMilli = 1_000_000;
    private const long NanosPerSecond = 1_000_000_000;

    /// <summary>Nanoseconds in a <see cref="TimeSpan"/> (a Go <c>time.Duration</c> as JSON).</summary>
    public static long Nanoseconds(TimeSpan duration) => duration.Ticks * 100;

    /// <summary>
    /// The compact whole-second form used for <c>uptime</c> and <c>idle</c>: "45s", "3m7s", "1h2m3s",
    /// "2d1h0m5s", "1y3d0h0m0s". Fractions are dropped; negative spans (clock skew) read as "0s".
    /// </summary>
    public static string Uptime(TimeSpan span)
    {
        long totalSeconds = Math.Max(0, span.Ticks / TimeSpan.TicksPerSecond);
        long totalMinutes = totalSeconds / 60;
        long totalHours = totalMinutes / 60;
        long totalDays = totalHours / 24;
        long years = totalDays / 365;
        long s = totalSeconds % 60, m = totalMinutes % 60, h = totalHours % 24;

        if (years > 0)
        {
            return Invariant($"{years}y{totalDays % 365}d{h}h{m}m{s}s");
        }

        if (totalDays > 0)
        {
            return Invariant($"{totalDays}d{h}h{m}m{s}s");
        }

        if (totalHours > 0)
        {
            return Invariant($"{totalHours}h{m}m{s}s");
        }

        return totalMinutes > 0 ? Invariant($"{totalMinutes}m{s}s") : Invariant($"{totalSeconds}s");
    }

    /// <summary>
    /// A duration as Go's <c>time.Duration.String()</c> prints it: "0s", "100ns", "1.5µs", "1.234ms",
    /// "2.5s", "1m30s", "1h0m0s".
    /// </summary>
    public static string Duration(TimeSpan duration) => Duration(Nanoseconds(duration));

    /// <summary>A duration given in nanoseconds, as Go's <c>time.Duration.String()</c> prints it.</summary>
    public static string Duration(long nanoseconds)
    {
        if (nanoseconds == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder(24);
        if (nanoseconds < 0)
        {
            sb.Append('-');
        }

        // Work on the magnitude as unsigned so long.MinValue is fine.
        ulong u = nanoseconds < 0 ? (ulong)(-(nanoseconds + 1)) + 1 : (ulong)nanoseconds;

        if (u < NanosPerSecond)
        {
            if (u < NanosPerMicro)
            {
                sb.Append(u.ToString(CultureInfo.InvariantCulture)).Append("ns");
            }
            else if (u < NanosPerMilli)
            {
                AppendFixed(sb, u, NanosPerMicro, 3);
                sb.Append("µs");
            }
            else
            {
                AppendFixed(sb, u, NanosPerMilli, 6);
                sb.Append("ms");
            }

            return sb.ToString();
        }

        ulong totalSeconds = u / NanosPerSecond;
        ulong fraction = u % NanosPerSecond;
        ulong hours = totalSeconds / 3600;
        ulong minutes = totalSeconds / 60 % 60;
        ulong seconds = totalSeconds % 60;
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        sb.Append(seconds.ToString(CultureInfo.InvariantCulture));
        AppendFraction(sb, fraction, 9);
        sb.Append('s');
        return sb.ToString();
    }

    /// <summary>
    /// A time as Go's <c>time.Time</c> JSON (RFC 3339 with nanoseconds, trailing zeros trimmed) in UTC:
    /// "2024-05-01T10:20:30.1234567Z", "2024-05-01T10:20:30Z". Local times are converted; unspecified
    /// kinds are taken as UTC. <see cref="DateTime.MinValue"/> prints as Go's zero time.
    /// </summary>
    public static string Time(DateTime time)
    {
        DateTime utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        var sb = new StringBuilder(32);
        sb.Append(utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture));
        AppendFraction(sb, (ulong)(utc.Ticks % TimeSpan.TicksPerSecond), 7);
        sb.Append('Z');
        return sb.ToString();
    }

    /// <summary>
    /// A float64 as Go's encoding/json writes it: the shortest digits that round-trip, in plain
    /// notation ("2", "0.25", "1000000000000000") unless the magnitude is below 1e-6 or at least 1e21
    /// ("1e-7", "1.5e+21"). NaN and infinities, which Go refuses to encode, print as "0".
    /// </summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return "0";
        }

        if (value == 0)
        {
            return "0";
        }

        string r = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = r[0] == '-';
        string body = negative ? r[1..] : r;

        // Split into the significant digits and the decimal exponent: value = 0.d1d2d3... * 10^pointPos.
        string mantissa = body;
        int exponent = 0;
        int e = body.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mantissa = body[..e];
            exponent = int.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        int dot = mantissa.IndexOf('.');
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int pointPos = (dot < 0 ? mantissa.Length : dot) + exponent;
        int leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0')
        {
            leadingZeros++;
        }

        digits = digits[leadingZeros..].TrimEnd('0');
        pointPos -= leadingZeros;
        if (digits.Length == 0)
        {
            return "0";
        }

        var sb = new StringBuilder(32);
        if (negative)
        {
            sb.Append('-');
        }

        double abs = Math.Abs(value);
        if (abs < 1e-6 || abs >= 1e21)
        {
            // Scientific: d[.ddd]e±X, the exponent without padding (Go trims "e-07" to "e-7").
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            int sciExponent = pointPos - 1;
            sb.Append('e').Append(sciExponent < 0 ? '-' : '+').Append(Math.Abs(sciExponent).ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        if (pointPos <= 0)
        {
            sb.Append("0.").Append('0', -pointPos).Append(digits);
        }
        else if (pointPos >= digits.Length)
        {
            sb.Append(digits).Append('0', pointPos - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, pointPos).Append('.').Append(digits, pointPos, digits.Length - pointPos);
        }

        return sb.ToString();
    }

    /// <summary>Go's <c>strconv.ParseBool</c>: 1, t, T, TRUE, true, True and their false forms.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>A string quoted the way Go's <c>%q</c> does for the printable ASCII range (used in error texts).</summary>
    public static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2);
        sb.Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    private static void AppendFixed(StringBuilder sb, ulong value, long unit, int fractionDigits)
    {
        sb.Append((value / (ulong)unit).ToString(CultureInfo.InvariantCulture));
        AppendFraction(sb, value % (ulong)unit, fractionDigits);
    }

    /// <summary>Appends ".fff" with <paramref name="width"/> digits, trailing zeros trimmed; nothing when zero.</summary>
    private static void AppendFraction(StringBuilder sb, ulong fraction, int width)
    {
        if (fraction == 0)
        {
            return;
        }

        string text = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0').TrimEnd('0');
        sb.Append('.').Append(text);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
