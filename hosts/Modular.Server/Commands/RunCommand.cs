using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Modular.Core.Config;
using Modular.Core.Plugins;
using Modular.Core.Server;
using Modular.Server.Logging;

namespace Modular.Server.Commands;

/// <summary><c>modular run [-c FILE]</c>: run one server until Ctrl-C or SIGTERM, then stop it gracefully.</summary>
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

        using var loggerFactory = LoggingSetup.CreateLoggerFactory(options);
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
        using var signals = new StopSignals(stopping);
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

        try
        {
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
            return ExitCodes.RuntimeFailure;
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or SIGTERM.
        }

        logger.LogInformation("Stop requested, shutting down");
        try
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "Server failed to stop cleanly");
            Cli.Fail("failed to stop cleanly: " + ex.Message);
            return ExitCodes.RuntimeFailure;
        }

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

    private static async Task DisposeQuietlyAsync(NatsServer server, ILogger logger)
    {
        try
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Cleanup after a failed start also failed");
        }
    }

    /// <summary>
    /// Turns the first SIGINT or SIGTERM into a graceful stop; a second one is left to the runtime,
    /// which ends the process at once (for a stop that hangs).
    /// </summary>
    private sealed class StopSignals : IDisposable
    {
        private readonly CancellationTokenSource _stopping;
        private readonly PosixSignalRegistration _interrupt;
        private readonly PosixSignalRegistration _terminate;
        private int _received;

        public StopSignals(CancellationTokenSource stopping)
        {
            _stopping = stopping;
            _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        }

        public void Dispose()
        {
            _interrupt.Dispose();
            _terminate.Dispose();
        }

        private void OnSignal(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref _received) > 1)
            {
                return;
            }

            context.Cancel = true;
            _stopping.Cancel();
        }
    }
}
