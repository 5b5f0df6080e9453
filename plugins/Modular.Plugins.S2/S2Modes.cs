using System.Net;
using Modular.Plugins.S2.Codec;

namespace Modular.Plugins.S2;

/// <summary>
/// nats-server's route compression modes (protocol.md §5.1-5.2): the names, the configuration
/// aliases, the negotiation table and the s2_auto level from the RTT.
/// </summary>
public static class S2Modes
{
    public const string NotSupported = "not supported";
    public const string Off = "off";
    public const string Accept = "accept";
    public const string Uncompressed = "s2_uncompressed";
    public const string Fast = "s2_fast";
    public const string Better = "s2_better";
    public const string Best = "s2_best";
    public const string Auto = "s2_auto";

    /// <summary>s2_auto's default RTT thresholds: ≤10ms uncompressed, ≤50ms fast, ≤100ms better, above best.</summary>
    public static IReadOnlyList<TimeSpan> DefaultRttThresholds { get; } =
        [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)];

    /// <summary>
    /// A configured mode in canonical form: true/on/enabled → s2_fast, false/off/disabled → off,
    /// fast/better/best/auto → s2_*, "not supported"/not_supported (tests only), case-insensitive.
    /// Null for anything else.
    /// </summary>
    public static string? Normalize(string configured) => configured.Trim().ToLowerInvariant() switch
    {
        "true" or "on" or "enabled" or "fast" or "s2_fast" => Fast,
        "false" or "off" or "disabled" => Off,
        "accept" => Accept,
        "better" or "s2_better" => Better,
        "best" or "s2_best" => Best,
        "auto" or "s2_auto" => Auto,
        "not supported" or "not_supported" => NotSupported,
        _ => null,
    };

    /// <summary>True for a mode that compresses (an s2 level or s2_auto).</summary>
    public static bool Compresses(string? mode) => mode is Uncompressed or Fast or Better or Best or Auto;

    /// <summary>
    /// nats-server's negotiation: our configured mode against the peer's advertised one (null or
    /// "not supported" when it advertised none). Returns the mode this side writes with; for s2_auto,
    /// <see cref="Auto"/> itself (the level comes from <see cref="SelectAutoLevel"/>).
    /// </summary>
    /// <exception cref="ProtocolViolationException">The peer advertised a mode nats-server does not know: <c>unsupported route compression mode "x"</c>.</exception>
    public static string Select(string ours, string? peer)
    {
        if (ours is Off or NotSupported)
        {
            // No negotiation: the route shows off, or "not supported" when the peer sent nothing.
            return string.IsNullOrEmpty(peer) || peer == NotSupported || ours == NotSupported ? NotSupported : Off;
        }

        switch (peer)
        {
            case null or "" or NotSupported:
                return NotSupported;
            case Off:
                return Off;
            case Accept:
                return ours == Accept ? Off : ours;
            case Auto or Uncompressed or Fast or Better or Best:
                if (ours == Accept)
                {
                    return peer == Auto ? Fast : peer;
                }

                return ours;
            default:
                throw new ProtocolViolationException($"unsupported route compression mode \"{peer}\"");
        }
    }

    /// <summary>
    /// The s2_auto level for an RTT, as nats-server picks it: ≤ t[0] uncompressed, ≤ t[1] fast, ≤ t[2]
    /// better, else best (or the last defined level when fewer than 3 thresholds are set).
    /// </summary>
    public static string SelectAutoLevel(TimeSpan rtt, IReadOnlyList<TimeSpan> thresholds)
    {
        var index = -1;
        for (var i = 0; i < thresholds.Count; i++)
        {
            if (rtt <= thresholds[i])
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            index = thresholds.Count >= 3 ? 3 : thresholds.Count - 1;
        }

        return index switch
        {
            0 => Uncompressed,
            1 => Fast,
            2 => Better,
            _ => Best,
        };
    }

    /// <summary>
    /// Validates and normalizes s2_auto thresholds as nats-server does: negatives become 0, non-zero
    /// values ascend, trailing zeros are trimmed, then 1 to 4 values must remain. Null (and an error)
    /// when invalid.
    /// </summary>
    public static IReadOnlyList<TimeSpan>? NormalizeThresholds(IReadOnlyList<TimeSpan> thresholds, out string? error)
    {
        error = null;
        var values = new List<TimeSpan>(thresholds.Count);
        foreach (var raw in thresholds)
        {
            var value = raw < TimeSpan.Zero ? TimeSpan.Zero : raw;
            if (value != TimeSpan.Zero && values.Any(previous => value < previous))
            {
                error = $"RTT thresholds must be in ascending order, got [{Describe(thresholds)}]";
                return null;
            }

            values.Add(value);
        }

        while (values.Count > 0 && values[^1] == TimeSpan.Zero)
        {
            values.RemoveAt(values.Count - 1);
        }

        if (values.Count > 4)
        {
            error = $"at most 4 RTT thresholds (for s2_uncompressed, s2_fast, s2_better, s2_best), got [{Describe(thresholds)}]";
            return null;
        }

        if (values.Count == 0)
        {
            error = "at least one non-zero RTT threshold is required";
            return null;
        }

        return values;
    }

    /// <summary>The codec level of a writing mode (s2_uncompressed/fast/better/best).</summary>
    public static S2Level ToLevel(string mode) => mode switch
    {
        Uncompressed => S2Level.Uncompressed,
        Fast => S2Level.Fast,
        Better => S2Level.Better,
        Best => S2Level.Best,
        _ => throw new ArgumentException($"\"{mode}\" is not an S2 writer level (s2_uncompressed, s2_fast, s2_better or s2_best)", nameof(mode)),
    };

    /// <summary>The nats-server name of a codec level.</summary>
    public static string ToMode(S2Level level) => level switch
    {
        S2Level.Uncompressed => Uncompressed,
        S2Level.Fast => Fast,
        S2Level.Better => Better,
        _ => Best,
    };

    internal static string Describe(IEnumerable<TimeSpan> values) =>
        string.Join(", ", values.Select(v => v.TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "ms"));
}
