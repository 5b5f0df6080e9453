using Modular.Abstractions.Transport;

namespace Modular.Abstractions.Compression;

/// <summary>
/// The compression seam for routes: advertise a mode in INFO, settle on one with the peer's, and
/// switch the connection's stream to it mid-connection. "Off" is the built-in default. Mode names
/// belong to the provider: the core only asks it whether a mode compresses and what to say.
/// </summary>
public interface ICompressionProvider
{
    /// <summary>The mode this server advertises in its INFO "compression" field ("not supported": no field at all).</summary>
    string AdvertisedMode { get; }

    /// <summary>
    /// The mode to use given the peer's advertised mode (null when the peer advertises none) and the
    /// measured RTT. Throws <see cref="ArgumentException"/> or <see cref="System.Net.ProtocolViolationException"/>
    /// for a peer mode that must close the route.
    /// </summary>
    string Negotiate(string? peerMode, TimeSpan? rtt);

    /// <summary>
    /// True when <paramref name="mode"/> (one <see cref="Negotiate"/> returned, or one a peer named in
    /// the INFO that starts compression) means the stream switches to a compressing pipe.
    /// </summary>
    bool Compresses(string? mode);

    /// <summary>
    /// The mode to name in the INFO that starts compression once <paramref name="chosen"/> was
    /// negotiated. By default the chosen mode; an RTT-driven provider may keep naming its own mode.
    /// </summary>
    string NegotiationMode(string chosen) => chosen;

    /// <summary>
    /// Replaces <see cref="ModularConnection.Transport"/> with a pipe that compresses writes and
    /// decompresses reads in <paramref name="mode"/>, and publishes an <see cref="ICompressionFeature"/>.
    /// The new input reads nothing from the old one until its first read, so the caller can switch
    /// the two directions at different points.
    /// </summary>
    void Wrap(ModularConnection connection, string mode);

    /// <summary>For an RTT-driven mode: the level to write with at this RTT; null when the mode does not follow RTT.</summary>
    string? LevelForRtt(TimeSpan rtt) => null;
}
