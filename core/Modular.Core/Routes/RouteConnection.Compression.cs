using Microsoft.Extensions.Logging;
using Modular.Core.Routes.Compression;

namespace Modular.Core.Routes;

// Compression negotiation and the switch-over (protocol.md §5.2, §5.3); the decisions are
// RouteCompression's, this part only sequences them in the handshake. In each direction,
// everything after that side's first INFO is compressed: the dialer sends a plain INFO naming its
// chosen mode and then switches; the acceptor switches and answers with a compressed INFO. Both
// register on the INFO that follows. Bytes already read after the INFO go to the decoder.
public sealed partial class RouteConnection
{
    private RouteCompression? _compression;
    private bool _pendingSwitch;
    private byte[]? _infoAfterSwitch;
    private bool _awaitingCompressedInfo;

    private RouteCompression Compression => _compression ??= new RouteCompression(_manager.Compression, _connection);

    /// <summary>What /routez shows: off, not supported, or the level the writer uses now.</summary>
    public string CompressionMode => Compression.Mode;

    /// <summary>Bytes before and after compression, both ways (zeros when the route is plain).</summary>
    public (long OutUncompressed, long OutCompressed, long InCompressed, long InUncompressed) CompressionCounts => Compression.Counts;

    /// <summary>Non-null while the read loop must stop parsing and switch the stream (the mode as /routez shows it).</summary>
    private string? _pendingSwitchMode => _pendingSwitch ? CompressionMode : null;

    /// <summary>An RTT-driven mode: the level follows the RTT, re-chosen on every PONG, effective from the next flush.</summary>
    private void AdjustCompressionLevel(TimeSpan rtt)
    {
        if (Compression.FollowRtt(rtt) is { } change)
        {
            _logger.LogDebug("rid:{rid} - compression level {old} -> {new} at RTT {rtt}", Id, change.Old, change.New, rtt);
        }
    }

    /// <summary>
    /// Decides compression on the peer's first INFO. True when the switch-over started: the caller
    /// stops parsing and the read loop swaps the stream; registration waits for the next INFO.
    /// </summary>
    private bool TryStartCompression(RouteInfo info)
    {
        string? named;
        try
        {
            // Before the first PONG the time since the connection started stands in for the RTT, as nats-server does.
            named = Compression.Negotiate(info.Compression, DidSolicit, Rtt ?? DateTime.UtcNow - Start);
        }
        catch (Exception e) when (e is ArgumentException or System.Net.ProtocolViolationException)
        {
            CloseWithError($"unsupported route compression mode \"{info.Compression}\"", RouteCloseReason.ProtocolViolation);
            return true;
        }

        if (named is null)
        {
            return false;
        }

        var negotiation = _manager.BuildInfo(this);
        negotiation.Compression = named;
        if (DidSolicit)
        {
            // Plain, with no pool index: the real INFO follows, compressed, once the peer answers.
            _output.SendNow(negotiation.ToLine());
        }
        else
        {
            _infoAfterSwitch = negotiation.ToLine();
        }

        _pendingSwitch = true;
        _awaitingCompressedInfo = true;
        return true;
    }

    /// <summary>Runs in the read loop once the INFO that starts compression has been consumed.</summary>
    private async Task<bool> SwitchToCompressionAsync()
    {
        _pendingSwitch = false;
        if (!await _output.WhenIdleAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
        {
            BeginClose(RouteCloseReason.WriteError, flushFirst: false);
            return false;
        }

        Compression.Switch();
        _logger.LogDebug("rid:{rid} - route stream switched to {mode}", Id, CompressionMode);
        if (_infoAfterSwitch is { } info)
        {
            _infoAfterSwitch = null;
            _output.SendNow(info);
        }

        return true;
    }
}
