using Microsoft.Extensions.Logging;
using Modular.Core.Config;
using Modular.Core.Plugins;
using Modular.Core.Server;
using Modular.Monitoring;

namespace Modular.Testing;

/// <summary>
/// The in-process backend: the config loaded, its plugins loaded from the host's bundled folder and
/// composed as <c>modular run</c> composes them, monitoring started beside an embedded
/// <see cref="NatsServer"/> (first, as the host does, so route INFO carries its URL), and its ports
/// read back from the bound listeners.
/// </summary>
internal sealed class InProcessRunner(OutputLog output) : INodeRunner
{
    private PluginCatalog? _catalog;
    private PluginComposition? _plugins;
    private NatsServer? _server;
    private MonitoringServer? _monitoring;

    public bool IsRunning => _server is not null;

    /// <summary>The embedded server, for a test that looks inside (null when stopped).</summary>
    public NatsServer? Server => _server;

    public async Task<BoundPorts> StartAsync(string configPath, CancellationToken cancellationToken)
    {
        var options = ConfigLoader.Load(configPath);
        var loggerFactory = new CapturingLoggerFactory(output.Add, LevelOf(options.Log.Level));
        try
        {
            _catalog = PluginCatalog.Load(options, BundledPluginsDirectory);
            _plugins = PluginComposition.Configure(options, _catalog, loggerFactory);
            await _plugins.StartAsync(cancellationToken).ConfigureAwait(false);
            _server = new NatsServer(options, loggerFactory, _plugins.Seams);
            _monitoring = await MonitoringHost.StartAsync(_server, options.Monitor, loggerFactory, Path.GetDirectoryName(Path.GetFullPath(configPath)), cancellationToken).ConfigureAwait(false);
            await _server.StartAsync(cancellationToken).ConfigureAwait(false);
            return new BoundPorts(
                _server.ClientEndPoint?.Port ?? throw new InvalidOperationException("the server started without a client listener"),
                _server.MonitorEndPoint?.Port,
                _server.Routes?.EndPoint?.Port);
        }
        catch
        {
            await KillAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task KillAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        // Monitoring stops after the server, as in the host: /healthz answers through the stop.
        if (Interlocked.Exchange(ref _monitoring, null) is { } monitoring)
        {
            await monitoring.DisposeAsync().ConfigureAwait(false);
        }

        if (Interlocked.Exchange(ref _plugins, null) is { } plugins)
        {
            await plugins.StopAsync().ConfigureAwait(false);
        }

        Interlocked.Exchange(ref _catalog, null)?.Dispose();
    }

    public async ValueTask DisposeAsync() => await KillAsync().ConfigureAwait(false);

    /// <summary>The host's <c>plugins/</c> folder, where bare plugin names resolve.</summary>
    private static string BundledPluginsDirectory => Path.Combine(Path.GetDirectoryName(HostLocator.FindHostDll())!, "plugins");

    private static LogLevel LevelOf(string level) => level.ToLowerInvariant() switch
    {
        "trace" or "verbose" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "fatal" => LogLevel.Critical,
        _ => LogLevel.Information,
    };
}
