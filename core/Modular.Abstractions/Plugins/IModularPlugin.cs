namespace Modular.Abstractions.Plugins;

/// <summary>
/// A plugin instance. The host makes one instance per TOML table that selects the plugin
/// (<c>[cluster.auth] use = "name"</c>) and drives it through one lifecycle:
/// <list type="number">
/// <item><see cref="Configure"/>: bind and validate the table's settings; no side effects
/// (<c>modular check</c> calls only this). Report problems through <see cref="PluginContext.Settings"/>.</item>
/// <item><see cref="StartAsync"/>: acquire resources (timers, watchers, sockets) before the server starts.</item>
/// <item><see cref="StopAsync"/>: release them after the server stopped.</item>
/// </list>
/// <see cref="StopAsync"/> is called for every instance whose <see cref="Configure"/> was called,
/// also when configuring or starting it (or another plugin) failed, so it must cope with a half-made
/// instance. Seams are asked for after a successful <see cref="Configure"/>.
/// </summary>
public interface IModularPlugin
{
    void Configure(PluginContext context);

    Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A config reload would change <c>cluster.routes</c> and keep this running instance: report any
    /// route it cannot work with, as <see cref="Configure"/> does for <see cref="PluginContext.ClusterRoutes"/>
    /// (<see cref="PluginSettings.AddErrorAt"/> with key <c>cluster.routes</c> and the route's line from
    /// <paramref name="routeLines"/>, same order as <paramref name="routes"/>, 0 when not known). Any
    /// error refuses the whole reload. No side effects: <see cref="OnClusterRoutesChanged"/> follows
    /// when the reload is applied. Instances made for the reload are checked by their <see cref="Configure"/> instead.
    /// </summary>
    void CheckClusterRoutes(IReadOnlyList<Uri> routes, IReadOnlyList<int> routeLines, PluginSettings report)
    {
    }

    /// <summary>
    /// A config reload changed <c>cluster.routes</c> and this running instance stays: the new list
    /// replaces <see cref="PluginContext.ClusterRoutes"/> from now on (a TLS wrapper checks a route
    /// added by the reload against its host name, an auth plugin tells configured routes from learned
    /// ones). Called once the reload is applied, before the new routes are dialed. Instances made
    /// for the reload get the new list in their context instead.
    /// </summary>
    void OnClusterRoutesChanged(IReadOnlyList<Uri> routes)
    {
    }

    /// <summary>
    /// The implementation of a seam interface (<c>IAuthenticator</c>, <c>IRouteCredentialsProvider</c>,
    /// <c>IRouteDiscovery</c>, <c>IConnectionWrapper</c>, <c>ITransport</c>, <c>ICompressionProvider</c>,
    /// <c>IRoutePoolingPolicy</c>) this instance serves, or null. By default the instance itself when it
    /// implements the interface.
    /// </summary>
    TSeam? GetSeam<TSeam>()
        where TSeam : class => this as TSeam;
}
