namespace Modular.Abstractions.Discovery;

/// <summary>What a discovery strategy may ask of the route manager at run time.</summary>
public interface IRouteDialer
{
    /// <summary>
    /// Starts keeping a route to <paramref name="url"/> up. Explicit routes are redialed for ever;
    /// implicit ones within connect_retries. Dialing a URL already being dialed does nothing.
    /// </summary>
    void Dial(Uri url, bool isExplicit);

    /// <summary>Server ids of the peers with at least one registered route.</summary>
    IReadOnlyCollection<string> ConnectedServerIds { get; }
}
