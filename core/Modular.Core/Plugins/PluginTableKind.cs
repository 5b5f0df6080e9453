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
/// <param name="Take">The seams with the plugin's implementation added; null when it hands out no <paramref name="SeamInterface"/>.</param>
public sealed record PluginTableKind(string TableName, ModularSeam Seam, string Role, Type SeamInterface, Func<ServerSeams, IModularPlugin, ServerSeams?> Take)
{
    /// <summary>Every table that selects a plugin, in the order plugins are configured and started.</summary>
    public static IReadOnlyList<PluginTableKind> All { get; } =
    [
        Kind<IAuthenticator>("server.auth", ModularSeam.Auth, "client authentication", (s, a, _) => s with { ClientAuthenticator = a }),
        Kind<IConnectionWrapper>("cluster.tls", ModularSeam.Transport, "route transport (TLS)", (s, w, _) => s with { RouteConnectionWrapper = w }),
        Kind<IAuthenticator>("cluster.auth", ModularSeam.Auth, "route authentication", (s, a, p) => s with { RouteAuthenticator = a, RouteCredentials = p.GetSeam<IRouteCredentialsProvider>() }),
        Kind<ICompressionProvider>("cluster.compression", ModularSeam.Compression, "route compression", (s, c, _) => s with { Compression = c }),
        Kind<IRouteDiscovery>("cluster.discovery", ModularSeam.Discovery, "route discovery", (s, d, _) => s with { Discovery = d }),
        Kind<IRoutePoolingPolicy>("cluster.pinning", ModularSeam.RoutePooling, "route pooling", (s, p, _) => s with { Pooling = p }),
        Kind<IConnectionWrapper>("server.tls", ModularSeam.Transport, "client transport (TLS)", (s, w, _) => s with { ClientConnectionWrapper = w }),
    ];

    public static PluginTableKind? Find(string tableName) => All.FirstOrDefault(kind => kind.TableName == tableName);

    private static PluginTableKind Kind<TSeam>(string table, ModularSeam seam, string role, Func<ServerSeams, TSeam, IModularPlugin, ServerSeams> take)
        where TSeam : class =>
        new(table, seam, role, typeof(TSeam), (seams, plugin) => plugin.GetSeam<TSeam>() is { } served ? take(seams, served, plugin) : null);
}
