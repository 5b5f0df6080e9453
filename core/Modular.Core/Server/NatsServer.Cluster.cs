using Modular.Abstractions.Compression;
using Modular.Abstractions.Transport;
using Modular.Core.Routes;
using Modular.Core.Routes.Peers;

namespace Modular.Core.Server;

// What the cluster sees of the server: the narrow host interface, so routes never depend on this type.
public sealed partial class NatsServer : IClusterHost
{
    string IClusterHost.Version => ServerVersion;

    string IClusterHost.GoVersion => ClientInfo.Go;

    IConnectionWrapper? IClusterHost.RouteConnectionWrapper => Seams.RouteConnectionWrapper;

    ICompressionProvider? IClusterHost.Compression => Seams.Compression;

    IRouteStatistics IClusterHost.RouteStatistics => Statistics;

    IPeerClientUrls IClusterHost.PeerClientUrls => ClientUrls;

    void IClusterHost.PublishClientUrls() => PublishClientUrls();
}
