using Modular.Core.Leafnodes;

namespace Modular.Core.Server;

// What the leaf node side sees of the server: its seams.
public sealed partial class NatsServer : ILeafnodeHost
{
    Modular.Abstractions.Transport.IConnectionWrapper? ILeafnodeHost.LeafConnectionWrapper => Seams.LeafConnectionWrapper;

    Modular.Abstractions.Auth.IAuthenticator? ILeafnodeHost.LeafAuthenticator => Seams.LeafAuthenticator;
}
