using Microsoft.Extensions.Logging;
using Modular.Abstractions.Transport;
using Modular.Core.Delivery;

namespace Modular.Core.Routes.Compression;

/// <summary>
/// Sequences one route's compression switch-over in the handshake (protocol.md §5.2, §5.3); the
/// decisions are <see cref="RouteCompression"/>'s. In each direction, everything after that side's
/// first INFO is compressed: the dialer sends a plain INFO naming its chosen mode and then switches;
/// the acceptor switches and answers with a compressed INFO. Both register on the INFO that
/// follows. Bytes already read after the INFO go to the decoder. Used by the read loop only.
/// </summary>
internal sealed class RouteCompressionSwitch(IRouteSessionHost host, ModularConnection connection, ConnectionOutput output, ILogger logger, ulong id)
{
    private RouteCompression? _compression;
    private byte[]? _infoAfterSwitch;
    private bool _awaitingCompressedInfo;

    private RouteCompression Compression => _compression ??= new RouteCompression(host.Compression, connection);

    /// <summary>What /routez shows: off, not supported, or the level the writer uses now.</summary>
    public string Mode => Compression.Mode;

    /// <summary>Bytes before and after compression, both ways (zeros when the route is plain).</summary>
    public (long OutUncompressed, long OutCompressed, long InCompressed, long InUncompressed) Counts => Compression.Counts;

    /// <summary>True while the read loop must stop parsing and switch the stream.</summary>
    public bool Pending { get; private set; }

    /// <summary>
    /// Decides compression on the peer's first INFO. True when the switch-over started: the caller
    /// stops parsing and the read loop calls <see cref="SwitchAsync"/>; registration waits for the
    /// next INFO. Throws <see cref="ArgumentException"/> or <see cref="System.Net.ProtocolViolationException"/>
    /// for a peer mode that closes the route.
    /// </summary>
    /// <param name="buildInfo">This side's INFO, to name the chosen mode in.</param>
    public bool TryStart(string? peerMode, bool dialed, TimeSpan rtt, Func<RouteInfo> buildInfo)
    {
        if (Compression.Negotiate(peerMode, dialed, rtt) is not { } named)
        {
            return false;
        }

        var negotiation = buildInfo();
        negotiation.Compression = named;
        if (dialed)
        {
            // Plain, with no pool index: the real INFO follows, compressed, once the peer answers.
            output.SendNow(negotiation.ToLine());
        }
        else
        {
            _infoAfterSwitch = negotiation.ToLine();
        }

        Pending = true;
        _awaitingCompressedInfo = true;
        return true;
    }

    /// <summary>Runs in the read loop once the INFO that starts compression has been consumed; false when the output did not drain.</summary>
    public async Task<bool> SwitchAsync()
    {
        Pending = false;
        if (!await output.WhenIdleAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
        {
            return false;
        }

        Compression.Switch();
        logger.LogDebug("rid:{rid} - route stream switched to {mode}", id, Mode);
        if (_infoAfterSwitch is { } info)
        {
            _infoAfterSwitch = null;
            output.SendNow(info);
        }

        return true;
    }

    /// <summary>The peer's first INFO after the switch-over (the one the route registers on); null for any other INFO.</summary>
    public RouteInfo? TakeInfoAfterSwitch(ReadOnlySpan<byte> json)
    {
        if (!_awaitingCompressedInfo || RouteInfo.Parse(json) is not { } info)
        {
            return null;
        }

        _awaitingCompressedInfo = false;
        return info;
    }

    /// <summary>An RTT-driven mode: the level follows the RTT, re-chosen on every PONG, effective from the next flush.</summary>
    public void FollowRtt(TimeSpan rtt)
    {
        if (Compression.FollowRtt(rtt) is { } change)
        {
            logger.LogDebug("rid:{rid} - compression level {old} -> {new} at RTT {rtt}", id, change.Old, change.New, rtt);
        }
    }
}
