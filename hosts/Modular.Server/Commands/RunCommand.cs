using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Modular.Core.Config;
using Modular.Core.Plugins;
using Modular.Core.Server;
using Modular.Monitoring;
using Modular.Server.Logging;
using Serilog.Core;

namespace Modular.Server.Commands;

/// <summary>
/// <c>modular run [-c FILE]</c>: run one server until Ctrl-C or SIGTERM, then stop it gracefully;
/// SIGUSR2 = lame duck mode, then stop; SIGHUP (or, with <c>--config_watch</c>, a changed file) = reload what can be reloaded.
/// </summary>
internal static class RunCommand
{
    public static async Task<int> ExecuteAsync(IReadOnlyList<string> args)
    {
        var arguments = CommandArguments.Parse("run", args);
        if (arguments is null)
        {
            return ExitCodes.BadConfigOrUsage;
        }

        if (arguments.Help)
        {
            Console.Out.Write(Usage.Text);
            return ExitCodes.Ok;
        }

        ModularOptions options;
        try
        {
            options = arguments.ConfigPath is { } path ? ConfigLoader.Load(path) : ConfigLoader.Defaults();
        }
        catch (ConfigException ex)
        {
            Cli.PrintErrors(ex);
            return ExitCodes.BadConfigOrUsage;
        }

        var logLevel = new LoggingLevelSwitch(LoggingSetup.ToLevel(options.Log.Level));
        using var loggerFactory = LoggingSetup.CreateLoggerFactory(options, logLevel);
        var logger = loggerFactory.CreateLogger("Modular.Server");

        // Plugins are loaded and configured before anything listens: a bad plugin or setting is a
        // configuration error (exit 2) with nothing started.
        using var catalog = PluginSetup.TryLoad(options, loggerFactory, out var plugins);
        if (catalog is null || plugins is null)
        {
            return ExitCodes.BadConfigOrUsage;
        }

        await using var pluginsStopper = plugins.ConfigureAwait(false);
        foreach (var warning in options.Warnings)
        {
            logger.LogWarning("Configuration: {Warning}", warning.ToString());
        }

        if (options.SourceFile is { } source)
        {
            logger.LogInformation("modular {Version}, configuration {Configuration}", Usage.Version, source);
        }
        else
        {
            logger.LogInformation("modular {Version}, built-in defaults (no -c FILE)", Usage.Version);
        }

        using var stopping = new CancellationTokenSource();
        using var signals = new StopSignals(stopping, logger);
        try
        {
            await plugins.StartAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (ConfigException ex)
        {
            Cli.PrintErrors(ex);
            return ExitCodes.BadConfigOrUsage;
        }

        NatsServer server;
        try
        {
            server = new NatsServer(options, loggerFactory, plugins.Seams);
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "Server could not be created");
            Cli.Fail("failed to start: " + ex.Message);
            return ExitCodes.RuntimeFailure;
        }

        // Monitoring starts first, so route INFO already carries its bound monitor_url; it stops
        // last, so /healthz answers (with 500) through lame duck mode and the stop.
        MonitoringServer? monitoring = null;
        try
        {
            monitoring = await MonitoringHost.StartAsync(server, options.Monitor, loggerFactory, ConfigDirectory(options), stopping.Token).ConfigureAwait(false);
            await server.StartAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while starting: fall through to the graceful stop.
        }
        catch (Exception ex)
        {
            var reason = ex is SocketException ? $"{ex.Message} ({DescribeListeners(options)})" : ex.Message;
            logger.LogCritical("Server failed to start: {Reason}", reason);
            logger.LogDebug(ex, "Start failure details");
            Cli.Fail("failed to start: " + reason);
            await DisposeQuietlyAsync(server, logger).ConfigureAwait(false);
            await DisposeQuietlyAsync(monitoring, logger).ConfigureAwait(false);
            return ExitCodes.RuntimeFailure;
        }

        using var portsFile = arguments.PortsFileDir is { } portsFileDir ? PortsFile.TryWrite(portsFileDir, server, logger) : null;

        // SIGHUP (`modular reload`) and a changed file under --config_watch: read the file again; one reload at a time.
        using var reloading = new SemaphoreSlim(1, 1);
        async Task ReloadOnceAsync()
        {
            await reloading.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await ConfigReloader.ReloadAsync(server, plugins, catalog, loggerFactory, logLevel, logger).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Reload failed; still running on the previous configuration");
            }
            finally
            {
                reloading.Release();
            }
        }

        signals.OnReload = () => _ = Task.Run(ReloadOnceAsync);
        await using var watcher = arguments.ConfigWatchInterval is { } interval && options.SourceFile is { } watched
            ? ConfigWatcher.Start(watched, interval, ReloadOnceAsync, logger)
            : null;

        var stopRequested = Task.Delay(Timeout.Infinite, stopping.Token);
        if (await Task.WhenAny(stopRequested, signals.LameDuckRequested).ConfigureAwait(false) == signals.LameDuckRequested)
        {
            // SIGUSR2 (`modular ldm`): the server leaves on its own; Ctrl-C cuts the waiting short.
            signals.InLameDuckMode = true;
            await server.EnterLameDuckModeAsync(stopping.Token).ConfigureAwait(false);
        }
        else
        {
            logger.LogInformation("Stop requested, shutting down");
        }

        // No reload from a file change while the server stops.
        if (watcher is not null)
        {
            await watcher.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "Server failed to stop cleanly");
            Cli.Fail("failed to stop cleanly: " + ex.Message);
            await DisposeQuietlyAsync(monitoring, logger).ConfigureAwait(false);
            return ExitCodes.RuntimeFailure;
        }

        await DisposeQuietlyAsync(monitoring, logger).ConfigureAwait(false);

        await plugins.StopAsync().ConfigureAwait(false);
        logger.LogInformation("Stopped");
        return ExitCodes.Ok;
    }

    /// <summary>Where the server tried to listen, for a bind failure that does not say which listener failed.</summary>
    private static string DescribeListeners(ModularOptions options)
    {
        var listeners = $"clients on {options.Server.Host}:{options.Server.Port}";
        if (options.Monitor.Host is { } monitorHost)
        {
            listeners += $", monitoring on {monitorHost}:{options.Monitor.Port}";
        }

        if (options.Cluster is { } cluster)
        {
            listeners += $", routes on {cluster.Host}:{cluster.Port}";
        }

        return listeners;
    }

    /// <summary>Where relative file names in the configuration start: the file's folder, else the working directory.</summary>
    private static string? ConfigDirectory(ModularOptions options) =>
        options.SourceFile is { } file ? Path.GetDirectoryName(file) : null;

    private static async Task DisposeQuietlyAsync(IAsyncDisposable? disposable, ILogger logger)
    {
        if (disposable is null)
        {
            return;
        }

        try
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Cleanup after a failed start also failed");
        }
    }

    /// <summary>
    /// Turns the first SIGINT or SIGTERM into a graceful stop; a second one is left to the runtime,
    /// which ends the process at once (for a stop that hangs). SIGUSR2 asks for lame duck mode;
    /// during lame duck mode SIGTERM is ignored (as nats-server does) while SIGINT still stops.
    /// </summary>
    private sealed class StopSignals : IDisposable
    {
        private readonly CancellationTokenSource _stopping;
        private readonly ILogger _logger;
        private readonly PosixSignalRegistration _interrupt;
        private readonly PosixSignalRegistration _terminate;
        private readonly PosixSignalRegistration? _lameDuck;
        private readonly PosixSignalRegistration? _reload;
        private readonly TaskCompletionSource _lameDuckRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _received;

        public StopSignals(CancellationTokenSource stopping, ILogger logger)
        {
            _stopping = stopping;
            _logger = logger;
            _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            if (PosixSignals.LameDuck is { } lameDuck)
            {
                _lameDuck = PosixSignalRegistration.Create(lameDuck, OnLameDuckSignal);
            }

            if (PosixSignals.Reload is { } reload)
            {
                _reload = PosixSignalRegistration.Create(reload, OnReloadSignal);
            }
        }

        /// <summary>What SIGHUP does once the server runs (before that, it is logged and ignored).</summary>
        public Action? OnReload { get; set; }

        /// <summary>Completes on the first SIGUSR2.</summary>
        public Task LameDuckRequested => _lameDuckRequested.Task;

        public bool InLameDuckMode { get; set; }

        public void Dispose()
        {
            _interrupt.Dispose();
            _terminate.Dispose();
            _lameDuck?.Dispose();
            _reload?.Dispose();
        }

        private void OnReloadSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (OnReload is { } reload)
            {
                _logger.LogInformation("SIGHUP: reloading the configuration");
                reload();
            }
            else
            {
                _logger.LogWarning("SIGHUP ignored: the server is not running yet");
            }
        }

        private void OnLameDuckSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!_lameDuckRequested.TrySetResult())
            {
                _logger.LogInformation("Lame duck mode already requested");
            }
        }

        private void OnSignal(PosixSignalContext context)
        {
            if (InLameDuckMode && context.Signal == PosixSignal.SIGTERM)
            {
                context.Cancel = true;
                _logger.LogInformation("SIGTERM ignored in lame duck mode (SIGINT stops at once)");
                return;
            }

            if (Interlocked.Increment(ref _received) > 1)
            {
                return;
            }

            context.Cancel = true;
            _stopping.Cancel();
        }
    }
}
