using Microsoft.Extensions.Logging;
using Modular.Abstractions.Compression;

namespace Modular.Core.Routes;

// Compression negotiation and the switch-over (protocol.md §5.2, §5.3). Mode names are the
// provider's: it says which modes compress and what to name in INFO, and its pipe publishes an
// ICompressionFeature (level, byte counts) on the connection. In each direction,
// everything after that side's first INFO is compressed: the dialer sends a plain INFO naming its
// chosen mode and then switches; the acceptor switches and answers with a compressed INFO. Both
// register on the INFO that follows. Bytes already read after the INFO go to the decoder.
public sealed partial class RouteConnection
{
    private string? _pendingSwitchMode;
    private byte[]? _infoAfterSwitch;
    private bool _awaitingCompressedInfo;

    private string _negotiatedMode = "off";

    /// <summary>What /routez shows: off, not supported, or the level the writer uses now.</summary>
    public string CompressionMode
    {
        get => _connection.Features.Get<ICompressionFeature>() is { } compressed ? compressed.Mode : _negotiatedMode;
        private set => _negotiatedMode = value;
    }

    /// <summary>Bytes before and after compression, both ways (zeros when the route is plain).</summary>
    public (long OutUncompressed, long OutCompressed, long InCompressed, long InUncompressed) CompressionCounts =>
        _connection.Features.Get<ICompressionFeature>() is { } c
            ? (c.BytesOutUncompressed, c.BytesOutCompressed, c.BytesInCompressed, c.BytesInUncompressed)
            : default;

    /// <summary>An RTT-driven mode: the level follows the RTT, re-chosen on every PONG, effective from the next flush.</summary>
    private void AdjustCompressionLevel(TimeSpan rtt)
    {
        if (_manager.Compression?.LevelForRtt(rtt) is { } level && _connection.Features.Get<ICompressionFeature>() is { } compressed && compressed.Mode != level)
        {
            _logger.LogDebug("rid:{rid} - compression level {old} -> {new} at RTT {rtt}", Id, compressed.Mode, level, rtt);
            compressed.Mode = level;
        }
    }

    /// <summary>
    /// Decides compression on the peer's first INFO. True when the switch-over started: the caller
    /// stops parsing and the read loop swaps the stream; registration waits for the next INFO.
    /// </summary>
    private bool TryStartCompression(RouteInfo info)
    {
        var provider = _manager.Compression;
        if (provider is null)
        {
            return false;
        }

        if (string.IsNullOrEmpty(info.Compression) || info.Compression == "not supported")
        {
            CompressionMode = "not supported";
            return false;
        }

        // The acceptor only switches when the dialer's INFO already chose a compressing mode.
        if (!DidSolicit && !provider.Compresses(info.Compression))
        {
            return false;
        }

        string chosen;
        try
        {
            // Before the first PONG the time since the connection started stands in for the RTT, as nats-server does.
            chosen = provider.Negotiate(info.Compression, Rtt ?? DateTime.UtcNow - Start);
        }
        catch (Exception e) when (e is ArgumentException or System.Net.ProtocolViolationException)
        {
            CloseWithError($"unsupported route compression mode \"{info.Compression}\"", RouteCloseReason.ProtocolViolation);
            return true;
        }

        CompressionMode = chosen;
        if (!provider.Compresses(chosen))
        {
            return false;
        }

        var negotiation = _manager.BuildInfo(this);
        negotiation.Compression = provider.NegotiationMode(chosen);
        if (DidSolicit)
        {
            // Plain, with no pool index: the real INFO follows, compressed, once the peer answers.
            _output.SendNow(negotiation.ToLine());
        }
        else
        {
            _infoAfterSwitch = negotiation.ToLine();
        }

        _pendingSwitchMode = chosen;
        _awaitingCompressedInfo = true;
        return true;
    }

    /// <summary>Runs in the read loop once the INFO that starts compression has been consumed.</summary>
    private async Task<bool> SwitchToCompressionAsync()
    {
        var mode = _pendingSwitchMode!;
        _pendingSwitchMode = null;
        if (!await _output.WhenIdleAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
        {
            BeginClose(RouteCloseReason.WriteError, flushFirst: false);
            return false;
        }

        _manager.Compression!.Wrap(_connection, mode);
        _logger.LogDebug("rid:{rid} - route stream switched to {mode}", Id, mode);
        if (_infoAfterSwitch is { } info)
        {
            _infoAfterSwitch = null;
            _output.SendNow(info);
        }

        return true;
    }
}
