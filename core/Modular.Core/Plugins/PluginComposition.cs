using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Abstractions.Auth;
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
    private IReadOnlyList<Uri> _routes;
    private int _stopped;

    private PluginComposition(List<PluginInstance> instances, ServerSeams seams, ILogger logger, string file, IReadOnlyList<Uri> routes)
    {
        _instances = instances;
        Seams = seams;
        _logger = logger;
        _file = file;
        _routes = routes;
    }

    /// <summary>What the server takes from the plugins; null entries get the built-in defaults.</summary>
    public ServerSeams Seams { get; private set; }

    /// <summary>The configured instances, in table order.</summary>
    public IReadOnlyList<PluginInstance> Instances => _instances;

    /// <summary>
    /// Makes and configures one instance per plugin table, collecting every error. On any error the
    /// instances made are stopped and a <see cref="ConfigException"/> carries all errors.
    /// </summary>
    public static PluginComposition Configure(ModularOptions options, PluginCatalog catalog, ILoggerFactory? loggerFactory = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var file = FileOf(options);
        var errors = new List<ConfigError>();
        var instances = new List<PluginInstance>();
        foreach (var table in TablesOf(options))
        {
            if (ConfigureTable(table, options, catalog, loggerFactory, errors) is { } instance)
            {
                instances.Add(instance);
            }
        }

        var logger = loggerFactory.CreateLogger("Modular.Plugins");
        var composition = new PluginComposition(instances, SeamsOf(instances, errors, options), logger, file, RoutesOf(options));
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

    /// <summary>
    /// The first half of a config reload: a new instance is configured for every plugin table that
    /// was added or whose settings changed (and for a table whose plugin reads the accounts, when they
    /// changed: <see cref="PluginTableKind.ReadsAccounts"/>); unchanged tables keep their running
    /// instance, which checks a changed route list now (<see cref="IModularPlugin.CheckClusterRoutes"/>)
    /// and takes it when the reload is committed (<see cref="IModularPlugin.OnClusterRoutesChanged"/>).
    /// Nothing running is changed: the result says which
    /// seams the server would take, and is started, then committed or abandoned. Throws a
    /// <see cref="ConfigException"/> with every error of the new tables and of the route check (the new instances stopped).
    /// </summary>
    public PluginReload PrepareReload(ModularOptions next, PluginCatalog catalog, ILoggerFactory? loggerFactory = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var file = FileOf(next);
        var errors = new List<ConfigError>();
        var all = new List<PluginInstance>();
        var added = new List<PluginInstance>();
        var changed = new List<string>();
        var nextTables = TablesOf(next).ToList();
        foreach (var table in nextTables)
        {
            var running = _instances.Find(i => i.Table.TableName == table.TableName);
            var accountsRead = running is not null && running.Kind.ReadsAccounts && !SameUsers(running.Context.AccountUsers, UsersOf(next));
            if (running is not null && !accountsRead && SameTable(running.Table, table))
            {
                all.Add(running);
                continue;
            }

            changed.Add(table.TableName);
            if (ConfigureTable(table, next, catalog, loggerFactory, errors) is { } instance)
            {
                all.Add(instance);
                added.Add(instance);
            }
        }

        var retired = _instances.Where(i => !all.Contains(i)).ToList();
        changed.AddRange(retired.Select(i => i.Table.TableName).Where(name => !changed.Contains(name)));
        var seams = SeamsOf(all, errors, next, Seams.Transport);
        var routes = RoutesOf(next);
        var routesChanged = !SameRoutes(_routes, routes);
        if (routesChanged)
        {
            CheckRoutes(all.Where(i => !added.Contains(i)), routes, next.Cluster?.RouteLines ?? [], file, errors);
        }

        var reload = new PluginReload(this, all, added, retired, seams, changed, routesChanged ? routes : null);
        if (errors.Count > 0)
        {
            reload.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new ConfigException(errors.OrderBy(e => e.Line).ToList());
        }

        return reload;
    }

    /// <summary>Asks running instances whether they can work with a reload's route list (instances made for the reload checked it in Configure).</summary>
    private void CheckRoutes(IEnumerable<PluginInstance> kept, IReadOnlyList<Uri> routes, IReadOnlyList<int> routeLines, string file, List<ConfigError> errors)
    {
        foreach (var instance in kept)
        {
            var report = new PluginSettings(instance.Table.TableName, new Dictionary<string, PluginSetting>(), instance.Table.Line);
            try
            {
                instance.Plugin.CheckClusterRoutes(routes, routeLines, report);
            }
            catch (Exception ex)
            {
                _logger.LogDebug(ex, "Plugin {plugin} failed to check the route list", instance.Descriptor.Name);
                report.AddErrorAt(instance.Table.TableName, instance.Table.Line, $"plugin \"{instance.Descriptor.Name}\" failed to check the new cluster.routes: {Inner(ex).Message}");
            }

            errors.AddRange(ToConfigErrors(file, report.Errors));
        }
    }

    /// <summary>Takes the instances of a committed reload; the caller stops the retired ones.</summary>
    internal void Adopt(List<PluginInstance> instances, ServerSeams seams, IReadOnlyList<Uri>? routes)
    {
        _instances.Clear();
        _instances.AddRange(instances);
        Seams = seams;
        _routes = routes ?? _routes;
    }

    internal ILogger Logger => _logger;

    internal string File => _file;

    private static string FileOf(ModularOptions options) => options.SourceName ?? options.SourceFile ?? "(defaults)";

    private static IEnumerable<PluginTable> TablesOf(ModularOptions options)
    {
        var tables = new List<PluginTable>();
        tables.AddRange(options.Server.PluginTables.Values);
        if (options.Cluster is { } cluster)
        {
            tables.AddRange(cluster.PluginTables.Values);
        }

        if (options.Gateway is { } gateway)
        {
            tables.AddRange(gateway.PluginTables.Values);
        }

        if (options.Leafnodes is { } leafnodes)
        {
            tables.AddRange(leafnodes.PluginTables.Values);
        }

        return tables.OrderBy(t => t.Line);
    }

    private static IReadOnlyList<Uri> RoutesOf(ModularOptions options) => options.Cluster?.Routes ?? [];

    /// <summary>The same route URLs in the same order, user info included (<see cref="Uri.Equals(object)"/> ignores it).</summary>
    private static bool SameRoutes(IReadOnlyList<Uri> a, IReadOnlyList<Uri> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Equals(p.Second) && p.First.UserInfo == p.Second.UserInfo);

    private static List<AccountUser> UsersOf(ModularOptions options) =>
        options.Accounts.SelectMany(a => a.Value.Users.Select(u => new AccountUser(a.Key, u.User, u.Password))).ToList();

    private static bool SameUsers(IReadOnlyList<AccountUser> a, List<AccountUser> b) => a.SequenceEqual(b);

    /// <summary>Same plugin and same settings (TOML values compared deeply; lines do not matter).</summary>
    private static bool SameTable(PluginTable a, PluginTable b) =>
        a.Use == b.Use && a.Settings.Count == b.Settings.Count && a.Settings.All(p => b.Settings.TryGetValue(p.Key, out var other) && ValueComparer.Instance.Equals(p.Value, other));

    /// <summary>Makes and configures the instance for one table, adding its errors; null when it could not be made.</summary>
    private static PluginInstance? ConfigureTable(PluginTable table, ModularOptions options, PluginCatalog catalog, ILoggerFactory loggerFactory, List<ConfigError> errors)
    {
        var file = FileOf(options);
        if (PluginTableKind.Find(table.TableName) is not { } kind)
        {
            var known = string.Join(", ", PluginTableKind.All.Select(k => "[" + k.TableName + "]"));
            errors.Add(new ConfigError(file, table.Line, table.TableName, $"[{table.TableName}] does not select anything a plugin can serve (plugin tables: {known})"));
            return null;
        }

        var useKey = table.TableName + ".use";
        var useLine = table.UseLine > 0 ? table.UseLine : table.Line;
        if (catalog.Find(table.Use) is not { } plugin)
        {
            var loaded = catalog.Plugins.Count == 0 ? "none" : string.Join(", ", catalog.Plugins.Select(p => p.Name));
            errors.Add(new ConfigError(file, useLine, useKey, $"no loaded plugin is named \"{table.Use}\" (loaded: {loaded}); add its folder or bundled name to plugins = [...]"));
            return null;
        }

        if (!plugin.Seams.HasFlag(kind.Seam))
        {
            errors.Add(new ConfigError(file, useLine, useKey, $"plugin \"{plugin.Name}\" does not serve {PluginSeams.Name(kind.Seam)}, which [{table.TableName}] needs (it serves: {plugin.SeamsText})"));
            return null;
        }

        IModularPlugin instance;
        try
        {
            instance = (IModularPlugin)Activator.CreateInstance(plugin.PluginType)!;
        }
        catch (Exception ex)
        {
            errors.Add(new ConfigError(file, table.Line, table.TableName, $"plugin \"{plugin.Name}\" could not be created: {Inner(ex).Message}"));
            return null;
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
            ClusterRoutes = RoutesOf(options),
            ClusterRouteLines = options.Cluster?.RouteLines ?? [],
            AccountUsers = UsersOf(options),
        };
        var pluginInstance = new PluginInstance(plugin, kind, instance, context, table);
        try
        {
            instance.Configure(context);
        }
        catch (Exception ex)
        {
            errors.AddRange(ToConfigErrors(file, settings.Errors));
            errors.Add(new ConfigError(file, table.Line, table.TableName, $"plugin \"{plugin.Name}\" failed to configure: {Inner(ex).Message}"));
            return pluginInstance;
        }

        errors.AddRange(ToConfigErrors(file, settings.Errors));
        errors.AddRange(ToConfigErrors(file, settings.UnknownKeyErrors(plugin.Name)));
        return pluginInstance;
    }

    /// <summary>The seams the instances hand out; an instance that declares a seam but hands out nothing is an error.</summary>
    private static ServerSeams SeamsOf(List<PluginInstance> instances, List<ConfigError> errors, ModularOptions options, ITransport? transport = null)
    {
        var file = FileOf(options);
        var seams = new ServerSeams { Transport = transport };
        foreach (var instance in instances)
        {
            if (instance.Context.Settings.HasErrors)
            {
                continue;
            }

            if (instance.Kind.Take(seams, instance.Plugin) is not { } taken)
            {
                errors.Add(new ConfigError(file, instance.Table.Line, instance.Table.TableName, $"plugin \"{instance.Descriptor.Name}\" declares {PluginSeams.Name(instance.Kind.Seam)} but hands out no {instance.Kind.SeamInterface.Name}"));
                continue;
            }

            seams = taken;
            if (instance.Kind.Seam == ModularSeam.RoutePooling && instance.Plugin.GetSeam<IRoutePoolingPolicy>() is { DedicatedAccounts.Count: > 0 } && options.Cluster is { PoolSize: < 0 })
            {
                // As nats-server: pinned accounts need pooled routes (protocol.md §4).
                errors.Add(new ConfigError(file, instance.Table.Line, instance.Table.TableName, "accounts cannot be pinned when cluster.pool_size is -1 (routes do not pool)"));
            }
        }

        return seams;
    }

    /// <summary>Starts every instance in table order; if one throws, stops them all and throws a <see cref="ConfigException"/> naming it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await StartInstancesAsync(_instances, _logger, _file, cancellationToken).ConfigureAwait(false);
        }
        catch (ConfigException)
        {
            await StopAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts instances in order; the first that throws becomes a <see cref="ConfigException"/> naming it (the caller stops them).</summary>
    internal static async Task StartInstancesAsync(IReadOnlyList<PluginInstance> instances, ILogger logger, string file, CancellationToken cancellationToken)
    {
        foreach (var instance in instances)
        {
            try
            {
                await instance.Plugin.StartAsync(cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Plugin {plugin} {version} started for [{table}] ({role})", instance.Descriptor.Name, instance.Descriptor.Version, instance.Kind.TableName, instance.Kind.Role);
            }
            catch (Exception ex)
            {
                var table = instance.Context.Settings;
                logger.LogDebug(ex, "Plugin {plugin} failed to start", instance.Descriptor.Name);
                throw new ConfigException(new ConfigError(file, table.TableLine, table.TableName, $"plugin \"{instance.Descriptor.Name}\" failed to start: {Cli(Inner(ex).Message)}"));
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

        await StopInstancesAsync(_instances, _logger).ConfigureAwait(false);
    }

    /// <summary>Stops instances in reverse order, each within a deadline; failures are logged, not thrown.</summary>
    internal static async Task StopInstancesAsync(IReadOnlyList<PluginInstance> instances, ILogger logger)
    {
        for (var i = instances.Count - 1; i >= 0; i--)
        {
            var instance = instances[i];
            try
            {
                using var timeout = new CancellationTokenSource(StopTimeout);
                await instance.Plugin.StopAsync(timeout.Token).WaitAsync(StopTimeout).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.LogWarning("Plugin {plugin} failed to stop cleanly: {error}", instance.Descriptor.Name, ex.Message);
            }
        }
    }

    public ValueTask DisposeAsync() => StopAsync();

    /// <summary>Tells running instances the route list a committed reload brought; a failure is logged, not thrown.</summary>
    internal static void NotifyRoutesChanged(IEnumerable<PluginInstance> instances, IReadOnlyList<Uri> routes, ILogger logger)
    {
        foreach (var instance in instances)
        {
            try
            {
                instance.Plugin.OnClusterRoutesChanged(routes);
            }
            catch (Exception ex)
            {
                logger.LogWarning("Plugin {plugin} failed to take the new route list: {error}", instance.Descriptor.Name, ex.Message);
            }
        }
    }

    private static IEnumerable<ConfigError> ToConfigErrors(string file, IEnumerable<PluginSettingError> errors) =>
        errors.Select(e => new ConfigError(file, e.Line, e.Key, e.Message));

    private static Exception Inner(Exception ex) => ex is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : ex;

    private static string Cli(string message) => message.ReplaceLineEndings(" ");
}

/// <summary>One configured plugin instance and the table it serves.</summary>
public sealed record PluginInstance(LoadedPlugin Descriptor, PluginTableKind Kind, IModularPlugin Plugin, PluginContext Context, PluginTable Table);

/// <summary>Compares TOML values as <see cref="PluginComposition"/> compares settings (arrays and tables deeply).</summary>
internal sealed class ValueComparer : IEqualityComparer<object?>
{
    public static readonly ValueComparer Instance = new();

    public new bool Equals(object? x, object? y) => x is System.Collections.IEnumerable && x is not string
        ? y is System.Collections.IEnumerable && x.GetType() == y.GetType() && Deep(x, y)
        : object.Equals(x, y);

    public int GetHashCode(object? obj) => 0;

    private static bool Deep(object x, object y) => x switch
    {
        IDictionary<string, object> a when y is IDictionary<string, object> b => a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && Instance.Equals(p.Value, v)),
        System.Collections.IEnumerable a => a.Cast<object?>().SequenceEqual(((System.Collections.IEnumerable)y).Cast<object?>(), Instance),
        _ => object.Equals(x, y),
    };
}
