namespace Modular.Abstractions.Transport;

/// <summary>What a connection carries: an application client, or a route to another server of the cluster.</summary>
public enum ConnectionKind
{
    Client,
    Route,
}
