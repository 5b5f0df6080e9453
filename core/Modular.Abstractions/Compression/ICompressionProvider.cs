using System.IO.Pipelines;

namespace Modular.Abstractions.Compression;

/// <summary>
/// The compression seam for routes: advertise a mode in INFO, settle on one with the peer's, and
/// switch the connection's stream to it mid-connection. "Off" is the built-in default.
/// </summary>
public interface ICompressionProvider
{
    /// <summary>The mode this server advertises in its INFO "compression" field ("not supported": no field at all).</summary>
    string AdvertisedMode { get; }

    /// <summary>The mode to use given the peer's advertised mode (null when the peer advertises none) and the measured RTT.</summary>
    string Negotiate(string? peerMode, TimeSpan? rtt);

    /// <summary>A pipe that compresses writes to and decompresses reads from <paramref name="inner"/> in the given mode.</summary>
    IDuplexPipe Wrap(IDuplexPipe inner, string mode);

    /// <summary>For an RTT-driven mode (s2_auto): the level to write with at this RTT; null when the mode does not follow RTT.</summary>
    string? LevelForRtt(TimeSpan rtt) => null;
}
