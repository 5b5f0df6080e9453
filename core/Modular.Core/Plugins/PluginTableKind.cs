using Modular.Abstractions.Auth;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Discovery;
using Modular.Abstractions.Plugins;
using Modular.Abstractions.Pooling;
using Modular.Abstractions.Transport;
using Modular.Core.Server;

namespace Modular.Core.Plugins;

/// <summary>
/// A table that selects a plugin for a seam, e.g. [cluster.auth] for route authentication: which
/// seam the plugin must declare, the interface it must hand out and where the server takes it.
/// <see cref="All"/> is the whole mapping, as data; composition and reload read nothing else.
/// </summary>
/// <param name="TableName">The dotted table name, e.g. "cluster.auth".</param>
/// <param name="Seam">The seam the selected plugin must declare.</param>
/// <param name="Role">What the table is for, as messages and <c>modular check</c> show it.</param>
/// <param name="SeamInterface">The interface the plugin must hand out (<see cref="IModularPlugin.GetSeam{TSeam}"/>).</param>
/// <param name="ServerSeam">
/// The <see cref="ServerSeams"/> property the table fills, so what the server says of its seams
/// (<see cref="NatsServer.SeamsThatCannotReload"/>) can be told as the table a user writes.
/// </param>
/// <param name="ReadsAccounts">
/// The plugin reads the users of <c>[accounts.*]</c> (<see cref="PluginContext.AccountUsers"/>): a
/// reload that changes them configures a new instance even when the table itself is unchanged.
/// </param>
/// <param name="Take">The seams with the plugin's implementation added; null when it hands out no <paramref name="SeamInterface"/>.</param>
public sealed record PluginTableKind(string TableName, ModularSeam Seam, string Role, Type SeamInterface, string ServerSeam, bool ReadsAccounts, Func<ServerSeams, IModularPlugin, ServerSeams?> Take)
{
    /// <summary>Every table that selects a plugin, in the order plugins are configured and started.</summary>
    public static IReadOnlyList<PluginTableKind> All { get; } =
    [
        Kind<IAuthenticator>("server.auth", ModularSeam.Auth, "client authentication", nameof(ServerSeams.ClientAuthenticator), (s, a, _) => s with { ClientAuthenticator = a }, readsAccounts: true),
        Kind<IConnectionWrapper>("cluster.tls", ModularSeam.Transport, "route transport (TLS)", nameof(ServerSeams.RouteConnectionWrapper), (s, w, _) => s with { RouteConnectionWrapper = w }),
        Kind<IAuthenticator>("cluster.auth", ModularSeam.Auth, "route authentication", nameof(ServerSeams.RouteAuthenticator), (s, a, p) => s with { RouteAuthenticator = a, RouteCredentials = p.GetSeam<IRouteCredentialsProvider>() }),
        Kind<ICompressionProvider>("cluster.compression", ModularSeam.Compression, "route compression", nameof(ServerSeams.Compression), (s, c, _) => s with { Compression = c }),
        Kind<IRouteDiscovery>("cluster.discovery", ModularSeam.Discovery, "route discovery", nameof(ServerSeams.Discovery), (s, d, _) => s with { Discovery = d }),
        Kind<IRoutePoolingPolicy>("cluster.pinning", ModularSeam.RoutePooling, "route pooling", nameof(ServerSeams.Pooling), (s, p, _) => s with { Pooling = p }),
        Kind<IAuthenticator>("gateway.auth", ModularSeam.Auth, "gateway authentication", nameof(ServerSeams.GatewayAuthenticator), (s, a, p) => s with { GatewayAuthenticator = a, GatewayCredentials = p.GetSeam<IRouteCredentialsProvider>() }),
        Kind<IConnectionWrapper>("gateway.tls", ModularSeam.Transport, "gateway transport (TLS)", nameof(ServerSeams.GatewayConnectionWrapper), (s, w, _) => s with { GatewayConnectionWrapper = w }),
        Kind<IConnectionWrapper>("leafnodes.tls", ModularSeam.Transport, "leaf node transport (TLS)", nameof(ServerSeams.LeafConnectionWrapper), (s, w, _) => s with { LeafConnectionWrapper = w }),
        Kind<IAuthenticator>("leafnodes.auth", ModularSeam.Auth, "leaf node authentication", nameof(ServerSeams.LeafAuthenticator), (s, a, _) => s with { LeafAuthenticator = a }, readsAccounts: true),
        Kind<IConnectionWrapper>("server.tls", ModularSeam.Transport, "client transport (TLS)", nameof(ServerSeams.ClientConnectionWrapper), (s, w, _) => s with { ClientConnectionWrapper = w }),
    ];

    public static PluginTableKind? Find(string tableName) => All.FirstOrDefault(kind => kind.TableName == tableName);

    /// <summary>The kind whose table fills the <see cref="ServerSeams"/> property <paramref name="serverSeam"/>; null for one no table fills (the transport).</summary>
    public static PluginTableKind? ForServerSeam(string serverSeam) => All.FirstOrDefault(kind => kind.ServerSeam == serverSeam);

    private static PluginTableKind Kind<TSeam>(string table, ModularSeam seam, string role, string serverSeam, Func<ServerSeams, TSeam, IModularPlugin, ServerSeams> take, bool readsAccounts = false)
        where TSeam : class =>
        new(table, seam, role, typeof(TSeam), serverSeam, readsAccounts, (seams, plugin) => plugin.GetSeam<TSeam>() is { } served ? take(seams, served, plugin) : null);
}
