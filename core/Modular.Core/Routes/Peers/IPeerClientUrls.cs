namespace Modular.Core.Routes.Peers;

/// <summary>
/// Where the cluster adds and withdraws the client URLs peers advertise (our clients'
/// connect_urls). Called under the registry lock: implementations take only a leaf lock.
/// </summary>
public interface IPeerClientUrls
{
    /// <summary>This server's own client URLs (empty in lame duck mode).</summary>
    IReadOnlyList<string> Own { get; }

    /// <summary>True when what clients are told changed.</summary>
    bool AddPeerUrls(IReadOnlyList<string> urls);

    /// <summary>True when what clients are told changed.</summary>
    bool RemovePeerUrls(IReadOnlyList<string> urls);
}
