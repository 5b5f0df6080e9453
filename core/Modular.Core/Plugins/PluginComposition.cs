using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Discovery;
using Modular.Abstractions.Plugins;
using Modular.Abstractions.Pooling;
using Modular.Abstractions.Transport;
using Modular.Core.Config;
using Modular.Core.Server;

namespace Modular.Core.Plugins;

/// <summary>
/// A broker's plugins put together: one configured instance per plugin table ([server.auth],
/// [cluster.tls], [cluster.auth], …), and the <see cref="ServerSeams"/> they serve. The lifecycle
/// is <see cref="Configure"/> → <see cref="StartAsync"/> → <see cref="StopAsync"/>; after any
/// failure every instance made so far is stopped, so nothing stays half-started.
/// </summary>
public sealed class PluginComposition : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly List<PluginInstance> _instances;
    private readonly ILogger _logger;
    private readonly string _file;
    private int _stopped;

    private PluginComposition(List<PluginInstance> instances, ServerSeams seams, ILogger logger, string file)
    {
        _instances = instances;
        Seams = seams;
        _logger = logger;
        _file = file;
    }

    /// <summary>What the server takes from the plugins; null entries get the built-in defaults.</summary>
    public ServerSeams Seams { get; }

    /// <summary>The configured instances, in table order.</summary>
    public IReadOnlyList<PluginInstance> Instances => _instances;

    /// <summary>
    /// Makes and configures one instance per plugin table, collecting every error. On any error the
    /// instances made are stopped and a <see cref="ConfigException"/> carries all errors.
    /// </summary>
    public static PluginComposition Configure(ModularOptions options, PluginCatalog catalog, ILoggerFactory? loggerFactory = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var file = options.SourceName ?? options.SourceFile ?? "(defaults)";
        var errors = new List<ConfigError>();
        var instances = new List<PluginInstance>();
        var tables = new List<PluginTable>();
        tables.AddRange(options.Server.PluginTables.Values);
        if (options.Cluster is { } cluster)
        {
            tables.AddRange(cluster.PluginTables.Values);
        }

        var seams = new SeamsBuilder();
        foreach (var table in tables.OrderBy(t => t.Line))
        {
            if (PluginTableKind.Find(table.TableName) is not { } kind)
            {
                var known = string.Join(", ", PluginTableKind.All.Select(k => "[" + k.TableName + "]"));
                errors.Add(new ConfigError(file, table.Line, table.TableName, $"[{table.TableName}] does not select anything a plugin can serve (plugin tables: {known})"));
                continue;
            }

            var useKey = table.TableName + ".use";
            var useLine = table.UseLine > 0 ? table.UseLine : table.Line;
            if (catalog.Find(table.Use) is not { } plugin)
            {
                var loaded = catalog.Plugins.Count == 0 ? "none" : string.Join(", ", catalog.Plugins.Select(p => p.Name));
                errors.Add(new ConfigError(file, useLine, useKey, $"no loaded plugin is named \"{table.Use}\" (loaded: {loaded}); add its folder or bundled name to plugins = [...]"));
                continue;
            }

            if (!plugin.Seams.HasFlag(kind.Seam))
            {
                errors.Add(new ConfigError(file, useLine, useKey, $"plugin \"{plugin.Name}\" does not serve {PluginSeams.Name(kind.Seam)}, which [{table.TableName}] needs (it serves: {plugin.SeamsText})"));
                continue;
            }

            IModularPlugin instance;
            try
            {
                instance = (IModularPlugin)Activator.CreateInstance(plugin.PluginType)!;
            }
            catch (Exception ex)
            {
                errors.Add(new ConfigError(file, table.Line, table.TableName, $"plugin \"{plugin.Name}\" could not be created: {Inner(ex).Message}"));
                continue;
            }

            var settings = PluginSettingsReader.Read(table);
            var context = new PluginContext
            {
                PluginName = plugin.Name,
                TableName = table.TableName,
                Settings = settings,
                ConfigFile = file,
                ConfigDirectory = PluginCatalog.ConfigDirectoryOf(options),
                PluginDirectory = plugin.Folder,
                LoggerFactory = loggerFactory,
                ClusterRoutes = options.Cluster?.Routes ?? [],
                AccountUsers = options.Accounts.SelectMany(a => a.Value.Users.Select(u => new AccountUser(a.Key, u.User, u.Password))).ToList(),
            };
            var pluginInstance = new PluginInstance(plugin, kind, instance, context);
            instances.Add(pluginInstance);
            try
            {
                instance.Configure(context);
            }
            catch (Exception ex)
            {
                errors.AddRange(ToConfigErrors(file, settings.Errors));
                errors.Add(new ConfigError(file, table.Line, table.TableName, $"plugin \"{plugin.Name}\" failed to configure: {Inner(ex).Message}"));
                continue;
            }

            errors.AddRange(ToConfigErrors(file, settings.Errors));
            errors.AddRange(ToConfigErrors(file, settings.UnknownKeyErrors(plugin.Name)));
            if (!settings.HasErrors && seams.Add(kind, instance, table) is { } missing)
            {
                errors.Add(new ConfigError(file, table.Line, table.TableName, $"plugin \"{plugin.Name}\" declares {PluginSeams.Name(kind.Seam)} but hands out no {missing}"));
            }
        }

        var logger = loggerFactory.CreateLogger("Modular.Plugins");
        var composition = new PluginComposition(instances, seams.Build(), logger, file);
        if (errors.Count > 0)
        {
            composition.StopAsync().AsTask().GetAwaiter().GetResult();
            throw new ConfigException(errors.OrderBy(e => e.Line).ToList());
        }

        foreach (var plugin in catalog.Plugins.Where(p => !instances.Exists(i => i.Descriptor == p)))
        {
            options.Warnings.Add(new ConfigError(file, plugin.Line, "plugins", $"plugin \"{plugin.Name}\" is loaded but no table uses it"));
        }

        return composition;
    }

    /// <summary>Starts every instance in table order; if one throws, stops them all and throws a <see cref="ConfigException"/> naming it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var instance in _instances)
        {
            try
            {
                await instance.Plugin.StartAsync(cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("Plugin {plugin} {version} started for [{table}] ({role})", instance.Descriptor.Name, instance.Descriptor.Version, instance.Kind.TableName, instance.Kind.Role);
            }
            catch (Exception ex)
            {
                var table = instance.Context.Settings;
                _logger.LogDebug(ex, "Plugin {plugin} failed to start", instance.Descriptor.Name);
                await StopAsync().ConfigureAwait(false);
                throw new ConfigException(new ConfigError(_file, table.TableLine, table.TableName, $"plugin \"{instance.Descriptor.Name}\" failed to start: {Cli(Inner(ex).Message)}"));
            }
        }
    }

    /// <summary>Stops every instance (reverse order), each at most once and within a deadline; failures are logged, not thrown.</summary>
    public async ValueTask StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        for (var i = _instances.Count - 1; i >= 0; i--)
        {
            var instance = _instances[i];
            try
            {
                using var timeout = new CancellationTokenSource(StopTimeout);
                await instance.Plugin.StopAsync(timeout.Token).WaitAsync(StopTimeout).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogWarning("Plugin {plugin} failed to stop cleanly: {error}", instance.Descriptor.Name, ex.Message);
            }
        }
    }

    public ValueTask DisposeAsync() => StopAsync();

    private static IEnumerable<ConfigError> ToConfigErrors(string file, IEnumerable<PluginSettingError> errors) =>
        errors.Select(e => new ConfigError(file, e.Line, e.Key, e.Message));

    private static Exception Inner(Exception ex) => ex is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : ex;

    private static string Cli(string message) => message.ReplaceLineEndings(" ");

    /// <summary>Collects the seams instances hand out into a <see cref="ServerSeams"/>.</summary>
    private sealed class SeamsBuilder
    {
        private IConnectionWrapper? _routeWrapper;
        private IConnectionWrapper? _clientWrapper;
        private bool? _clientHandshakeFirst;
        private IAuthenticator? _clientAuthenticator;
        private IAuthenticator? _routeAuthenticator;
        private IRouteCredentialsProvider? _routeCredentials;
        private ICompressionProvider? _compression;
        private IRouteDiscovery? _discovery;
        private IRoutePoolingPolicy? _pooling;

        /// <summary>Takes the seam the table needs from the instance; returns the missing interface's name if it has none.</summary>
        public string? Add(PluginTableKind kind, IModularPlugin plugin, PluginTable table)
        {
            switch (kind.TableName)
            {
                case "server.tls":
                    // handshake_first decides when the core sends INFO; the plugin binds and checks the key.
                    _clientHandshakeFirst = table.Settings.TryGetValue("handshake_first", out var first) && first is true;
                    return (_clientWrapper = plugin.GetSeam<IConnectionWrapper>()) is null ? nameof(IConnectionWrapper) : null;
                case "server.auth":
                    return (_clientAuthenticator = plugin.GetSeam<IAuthenticator>()) is null ? nameof(IAuthenticator) : null;
                case "cluster.tls":
                    return (_routeWrapper = plugin.GetSeam<IConnectionWrapper>()) is null ? nameof(IConnectionWrapper) : null;
                case "cluster.auth":
                    _routeCredentials = plugin.GetSeam<IRouteCredentialsProvider>();
                    return (_routeAuthenticator = plugin.GetSeam<IAuthenticator>()) is null ? nameof(IAuthenticator) : null;
                case "cluster.compression":
                    return (_compression = plugin.GetSeam<ICompressionProvider>()) is null ? nameof(ICompressionProvider) : null;
                case "cluster.discovery":
                    return (_discovery = plugin.GetSeam<IRouteDiscovery>()) is null ? nameof(IRouteDiscovery) : null;
                case "cluster.pinning":
                    return (_pooling = plugin.GetSeam<IRoutePoolingPolicy>()) is null ? nameof(IRoutePoolingPolicy) : null;
                default:
                    return "seam for [" + kind.TableName + "]";
            }
        }

        public ServerSeams Build() => new()
        {
            RouteConnectionWrapper = _routeWrapper,
            ClientConnectionWrapper = _clientWrapper,
            ClientTlsHandshakeFirst = _clientHandshakeFirst,
            ClientAuthenticator = _clientAuthenticator,
            RouteAuthenticator = _routeAuthenticator,
            RouteCredentials = _routeCredentials,
            Compression = _compression,
            Discovery = _discovery,
            Pooling = _pooling,
        };
    }
}

/// <summary>One configured plugin instance and the table it serves.</summary>
public sealed record PluginInstance(LoadedPlugin Descriptor, PluginTableKind Kind, IModularPlugin Plugin, PluginContext Context);
