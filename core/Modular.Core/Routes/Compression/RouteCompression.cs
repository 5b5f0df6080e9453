using Modular.Abstractions.Compression;
using Modular.Abstractions.Transport;

namespace Modular.Core.Routes.Compression;

/// <summary>
/// One route's compression decisions (protocol.md §5.2), apart from the route session: which mode
/// the provider settles on with the peer's, what to name in the INFO that starts it, the switch of
/// the transport, and what /routez shows. Mode names are the provider's; the route only reads the
/// <see cref="ICompressionFeature"/> its pipe publishes.
/// </summary>
internal sealed class RouteCompression(ICompressionProvider? provider, ModularConnection connection)
{
    private const string Off = "off";
    private const string NotSupported = "not supported";

    private string _negotiated = Off;

    /// <summary>What /routez shows: off, not supported, or the level the writer uses now.</summary>
    public string Mode => Feature?.Mode ?? _negotiated;

    /// <summary>Bytes before and after compression, both ways (zeros when the route is plain).</summary>
    public (long OutUncompressed, long OutCompressed, long InCompressed, long InUncompressed) Counts =>
        Feature is { } c ? (c.BytesOutUncompressed, c.BytesOutCompressed, c.BytesInCompressed, c.BytesInUncompressed) : default;

    private ICompressionFeature? Feature => connection.Features.Get<ICompressionFeature>();

    /// <summary>
    /// Decides on the peer's first INFO. Returns the mode to name in the INFO that starts
    /// compression, or null when the stream stays plain. Throws <see cref="ArgumentException"/> or
    /// <see cref="System.Net.ProtocolViolationException"/> for a peer mode that closes the route.
    /// </summary>
    /// <param name="peerMode">The compression field of the peer's INFO.</param>
    /// <param name="dialed">This side dialed: only the dialer starts; the acceptor follows a dialer that chose a compressing mode.</param>
    /// <param name="rtt">The measured RTT, or the time since the connection started (as nats-server before the first PONG).</param>
    public string? Negotiate(string? peerMode, bool dialed, TimeSpan rtt)
    {
        if (provider is null)
        {
            return null;
        }

        if (string.IsNullOrEmpty(peerMode) || peerMode == NotSupported)
        {
            _negotiated = NotSupported;
            return null;
        }

        if (!dialed && !provider.Compresses(peerMode))
        {
            return null;
        }

        var chosen = provider.Negotiate(peerMode, rtt);
        _negotiated = chosen;
        return provider.Compresses(chosen) ? provider.NegotiationMode(chosen) : null;
    }

    /// <summary>Replaces the transport with the provider's pipe in the negotiated mode.</summary>
    public void Switch() => provider!.Wrap(connection, _negotiated);

    /// <summary>For an RTT-driven mode: the new level for this RTT when it changed (applied from the next flush), else null.</summary>
    public (string Old, string New)? FollowRtt(TimeSpan rtt)
    {
        if (provider?.LevelForRtt(rtt) is not { } level || Feature is not { } compressed || compressed.Mode == level)
        {
            return null;
        }

        var old = compressed.Mode;
        compressed.Mode = level;
        return (old, level);
    }
}
