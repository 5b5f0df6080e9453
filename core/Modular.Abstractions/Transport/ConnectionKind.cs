namespace Modular.Abstractions.Transport;

/// <summary>What a connection carries: an application client, a route to another server of the cluster, a gateway to another cluster, or a leaf node.</summary>
public enum ConnectionKind
{
    Client,
    Route,
    Gateway,
    Leafnode,
}
