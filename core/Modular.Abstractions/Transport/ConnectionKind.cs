namespace Modular.Abstractions.Transport;

/// <summary>What a connection carries: an application client, a route to another server of the cluster, or a gateway to another cluster.</summary>
public enum ConnectionKind
{
    Client,
    Route,
    Gateway,
}
