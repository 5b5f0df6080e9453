using Modular.Core.Leafnodes;

namespace Modular.Core.Server;

// What the leaf node side sees of the server: its seams.
public sealed partial class NatsServer : ILeafnodeHost
{
    Modular.Abstractions.Transport.IConnectionWrapper? ILeafnodeHost.LeafConnectionWrapper => Seams.LeafConnectionWrapper;

    Modular.Abstractions.Auth.IAuthenticator? ILeafnodeHost.LeafAuthenticator => Seams.LeafAuthenticator;

    IReadOnlyList<string> ILeafnodeHost.PeerLeafnodeUrls =>
        Routes?.GetRoutes().Select(r => r.RemoteInfo?.LeafnodeUrls is [var url] ? url : null).OfType<string>().Distinct().ToList() ?? [];

    /// <summary>This server's leaf URL for the route INFO (leafnode_urls), once the leaf listener is bound.</summary>
    string? Routes.IClusterHost.LeafnodeUrl => Leafnodes?.Url is { Length: > 0 } url ? url : null;
}
