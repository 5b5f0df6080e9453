using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Routes;

namespace Modular.Core.Leafnodes;

/// <summary>What the leaf node side needs of its server beyond the cluster's: the seams of [leafnodes.tls] and [leafnodes.auth], read at each use (a reload may replace them).</summary>
public interface ILeafnodeHost : IClusterHost
{
    /// <summary>Upgrades a leaf connection after the accepting side's INFO; null: plain TCP.</summary>
    IConnectionWrapper? LeafConnectionWrapper { get; }

    /// <summary>Decides on a leaf's CONNECT; null: the logins of [leafnodes.authorization], or the accounts' users.</summary>
    IAuthenticator? LeafAuthenticator { get; }

    /// <summary>The leaf URLs the route peers announced in their route INFO (leafnode_urls), one per peer with a leaf listener.</summary>
    IReadOnlyList<string> PeerLeafnodeUrls { get; }
}
