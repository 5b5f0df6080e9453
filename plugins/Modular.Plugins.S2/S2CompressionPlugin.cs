using System.IO.Pipelines;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Plugins;
using Modular.Abstractions.Settings;
using Modular.Abstractions.Transport;
using Modular.Plugins.S2;
using Modular.Plugins.S2.Pipes;

[assembly: ModularPlugin("s2", typeof(S2CompressionPlugin), ModularSeam.Compression)]

namespace Modular.Plugins.S2;

/// <summary>
/// Route compression as nats-server does it (protocol.md §5): settings <c>mode</c> (off, accept,
/// s2_fast, s2_better, s2_best, s2_auto and nats-server's aliases; default accept) and
/// <c>rtt_thresholds</c> for s2_auto (also spelled thresholds, rtts or rtt). The codec is the
/// plugin's own (<see cref="Codec"/>): S2 framed streams, one per flush.
/// </summary>
public sealed class S2CompressionPlugin : IModularPlugin, ICompressionProvider
{
    private static readonly string[] ThresholdKeys = ["rtt_thresholds", "thresholds", "rtts", "rtt"];

    /// <summary>The configured mode in canonical form (off, accept, s2_fast, s2_better, s2_best, s2_auto, or "not supported").</summary>
    public string Mode { get; private set; } = S2Modes.Accept;

    /// <summary>s2_auto's thresholds after nats-server's normalization (the defaults unless configured).</summary>
    public IReadOnlyList<TimeSpan> RttThresholds { get; private set; } = S2Modes.DefaultRttThresholds;

    /// <inheritdoc />
    /// <remarks>"not supported" (a test setting) means: put no compression field in INFO at all.</remarks>
    public string AdvertisedMode => Mode;

    public void Configure(PluginContext context) => Configure(context.Settings);

    /// <summary>Binds <c>mode</c> and <c>rtt_thresholds</c>; every problem goes to <see cref="PluginSettings.Errors"/>.</summary>
    public void Configure(PluginSettings settings)
    {
        var raw = settings.GetRaw("mode");
        switch (raw)
        {
            case null:
                Mode = S2Modes.Accept;
                break;
            case bool on:
                Mode = on ? S2Modes.Fast : S2Modes.Off;
                break;
            case string text when S2Modes.Normalize(text) is { } mode:
                Mode = mode;
                break;
            case string text:
                settings.AddError("mode", $"unsupported compression mode \"{text}\" (expected off, accept, s2_fast, s2_better, s2_best or s2_auto, or one of nats-server's aliases: true, on, enabled, false, disabled, fast, better, best, auto)");
                break;
            default:
                settings.AddError("mode", $"expected a string like \"s2_fast\" or true/false, got {PluginSettings.Describe(raw)}");
                break;
        }

        string? thresholdKey = null;
        foreach (var key in ThresholdKeys)
        {
            if (!settings.Contains(key))
            {
                continue;
            }

            if (thresholdKey is not null)
            {
                settings.AddError(key, $"the RTT thresholds are already given as {thresholdKey}; write only one of {string.Join(", ", ThresholdKeys)}");
                continue;
            }

            thresholdKey = key;
        }

        if (thresholdKey is null)
        {
            return;
        }

        if (Mode != S2Modes.Auto)
        {
            settings.AddError(thresholdKey, $"RTT thresholds apply only to mode s2_auto (the mode is {Mode})");
            return;
        }

        if (ReadDurations(settings, thresholdKey) is { } values)
        {
            if (S2Modes.NormalizeThresholds(values, out var error) is { } normalized)
            {
                RttThresholds = normalized;
            }
            else
            {
                settings.AddError(thresholdKey, error!);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Returns the level this side writes with (s2_uncompressed, s2_fast, s2_better, s2_best), or
    /// "off" / "not supported" for no compression. For s2_auto, the level for <paramref name="rtt"/>
    /// (nats-server uses the time since the connection started while no RTT is measured yet).
    /// </remarks>
    /// <exception cref="System.Net.ProtocolViolationException">An unknown peer mode: the message is nats-server's -ERR text.</exception>
    public string Negotiate(string? peerMode, TimeSpan? rtt)
    {
        var chosen = S2Modes.Select(Mode, peerMode);
        return chosen == S2Modes.Auto ? S2Modes.SelectAutoLevel(rtt ?? TimeSpan.Zero, RttThresholds) : chosen;
    }

    /// <summary>For s2_auto: the level for a newly measured RTT (call on every PONG); null in any other mode.</summary>
    public string? LevelForRtt(TimeSpan rtt) => Mode == S2Modes.Auto ? S2Modes.SelectAutoLevel(rtt, RttThresholds) : null;

    /// <inheritdoc />
    public bool Compresses(string? mode) => S2Modes.Compresses(mode);

    /// <inheritdoc />
    /// <remarks>An s2_auto side keeps saying s2_auto (the peer then writes s2_fast), as nats-server does.</remarks>
    public string NegotiationMode(string chosen) => Mode == S2Modes.Auto ? S2Modes.Auto : chosen;

    /// <inheritdoc />
    /// <remarks>The pipe (<see cref="WrapPipe"/>) is also the connection's <see cref="ICompressionFeature"/>.</remarks>
    public void Wrap(ModularConnection connection, string mode)
    {
        var wrapped = WrapPipe(connection.Transport, mode);
        connection.Transport = wrapped;
        if (wrapped is S2DuplexPipe s2)
        {
            connection.Features.Set<ICompressionFeature>(s2);
        }
    }

    /// <summary>
    /// <paramref name="mode"/> is a level Negotiate returned; "off" and "not supported" give back
    /// <paramref name="inner"/> unchanged. The result is an <see cref="S2DuplexPipe"/>: its output
    /// writes one S2 stream per flush, and its input reads nothing from <paramref name="inner"/>
    /// until its first read, so the caller can switch the two directions at different points.
    /// </summary>
    public IDuplexPipe WrapPipe(IDuplexPipe inner, string mode)
    {
        if (!S2Modes.Compresses(mode))
        {
            return inner;
        }

        var level = mode == S2Modes.Auto ? S2Modes.SelectAutoLevel(TimeSpan.Zero, RttThresholds) : mode;
        return new S2DuplexPipe(inner, S2Modes.ToLevel(level));
    }

    /// <summary>Changes the writer level of a pipe <see cref="WrapPipe"/> returned (from its next flush); false for any other pipe.</summary>
    public static bool TrySetLevel(IDuplexPipe pipe, string mode)
    {
        if (pipe is not S2DuplexPipe s2 || mode is not (S2Modes.Uncompressed or S2Modes.Fast or S2Modes.Better or S2Modes.Best))
        {
            return false;
        }

        s2.Level = S2Modes.ToLevel(mode);
        return true;
    }

    private static List<TimeSpan>? ReadDurations(PluginSettings settings, string key)
    {
        var raw = settings.GetRaw(key);
        if (raw is not IReadOnlyList<object> items)
        {
            settings.AddError(key, $"expected a list of durations like [\"10ms\", \"50ms\", \"100ms\"], got {PluginSettings.Describe(raw!)}");
            return null;
        }

        var values = new List<TimeSpan>(items.Count);
        foreach (var item in items)
        {
            switch (item)
            {
                case long seconds when seconds is >= -100_000 and <= 100_000:
                    values.Add(TimeSpan.FromSeconds(seconds));
                    break;
                case string text when TryParseDuration(text, out var value):
                    values.Add(value);
                    break;
                default:
                    settings.AddError(key, $"expected durations like \"10ms\" or \"1s\" in the list, got {PluginSettings.Describe(item)}");
                    return null;
            }
        }

        return values;
    }

    /// <summary>The configuration's duration grammar (<see cref="DurationParser"/>), with a leading '-' allowed (nats-server turns negatives into 0), up to a day.</summary>
    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        var span = text.Trim();
        var negative = span.StartsWith('-');
        if (!DurationParser.TryParse(negative ? span[1..] : span, out value) || value > TimeSpan.FromDays(1))
        {
            value = TimeSpan.Zero;
            return false;
        }

        value = negative ? -value : value;
        return true;
    }
}
