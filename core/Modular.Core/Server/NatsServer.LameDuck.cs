using Microsoft.Extensions.Logging;
using Modular.Abstractions.Settings;
using Modular.Core.Clients;
using Modular.Core.Config;

namespace Modular.Core.Server;

// Lame duck mode (protocol.md §9): stop taking clients, tell the cluster and the clients, let the
// clients drift away over lame_duck_duration, then shut down. Routes stay up until the very end so
// that interest and messages keep flowing for the clients still here.
public sealed partial class NatsServer
{
    /// <summary>The longest pause between two client closes, however few clients there are.</summary>
    private static readonly TimeSpan MaxCloseGap = TimeSpan.FromSeconds(1);

    private readonly Lock _lameDuckLock = new();
    private Task? _lameDuck;

    /// <summary>True from the moment lame duck mode begins (it never ends: the server shuts down).</summary>
    public bool IsLameDuck => Volatile.Read(ref _lameDuck) is not null;

    /// <summary>
    /// Enters lame duck mode once; later calls return the same task. The task completes when the
    /// server has shut down (as <see cref="DisposeAsync"/> does), so a host can then exit.
    /// <paramref name="cancellationToken"/> cuts the waiting short (the clients left are closed at once).
    /// </summary>
    public Task EnterLameDuckModeAsync(CancellationToken cancellationToken = default)
    {
        lock (_lameDuckLock)
        {
            if (_lameDuck is null)
            {
                Volatile.Write(ref _lameDuck, Task.Run(() => RunLameDuckAsync(cancellationToken), CancellationToken.None));
            }

            return _lameDuck;
        }
    }

    private async Task RunLameDuckAsync(CancellationToken cancellationToken)
    {
        var duration = Options.Server.LameDuckDuration;
        var grace = Options.Server.LameDuckGracePeriod;
        _logger.LogInformation(
            "Entering lame duck mode, stop accepting new clients (duration {duration}, grace period {grace})",
            DurationParser.Format(duration),
            DurationParser.Format(grace));

        // 1. No new clients: close the listener (healthz turns 500 from here on).
        IsAcceptingClients = false;
        if (Interlocked.Exchange(ref _clientListener, null) is { } listener)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        // 2. Nobody to wait for: shut down now.
        var clients = _clients.Values.ToList();
        if (clients.Count == 0)
        {
            _logger.LogInformation("Lame duck mode: no clients, shutting down");
            await DisposeAsync().ConfigureAwait(false);
            return;
        }

        // 3. One route INFO with ldm per remote server, so peers stop advertising our client URL.
        AnnounceLameDuckOnRoutes();

        // 4. Clients that understand async INFO learn now that they should move, and where to: the
        //    INFO lists only the other servers' URLs (none with cluster no_advertise), as nats-server's.
        ClientUrls.WithdrawOwn();
        var info = RefreshClientInfo();
        var told = 0;
        foreach (var client in clients)
        {
            if (client.SendAsyncInfo(info, lameDuck: true))
            {
                told++;
            }
        }

        _logger.LogInformation(
            "Lame duck mode: told {told} of {count} clients (those of protocol 1 and later); closing them after the {grace} grace period",
            told,
            clients.Count,
            DurationParser.Format(grace));

        // 5. Wait the grace period, then close the clients spread over what is left of the duration.
        try
        {
            await Task.Delay(grace, cancellationToken).ConfigureAwait(false);
            await CloseClientsSpreadAsync(duration - grace, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.LogInformation("Lame duck mode cut short: closing the remaining clients now");
        }

        // 6. Shut down: the remaining clients, then routes and monitoring.
        await DisposeAsync().ConfigureAwait(false);
    }

    private void AnnounceLameDuckOnRoutes()
    {
        if (Routes is not { } routes)
        {
            return;
        }

        var info = routes.BuildInfo();
        info.LameDuckMode = true;
        var line = info.ToLine();
        var told = new HashSet<string>(StringComparer.Ordinal);
        foreach (var route in routes.GetRoutes())
        {
            if (route.RemoteId is { } remoteId && !route.IsClosing && told.Add(remoteId))
            {
                route.SendRaw(line);
            }
        }
    }

    /// <summary>
    /// Closes the clients still connected one by one over <paramref name="span"/>: a random gap
    /// between half of and the whole of span/n (at most 1 s); when that gap would be under a
    /// millisecond, several clients are closed per pause instead.
    /// </summary>
    private async Task CloseClientsSpreadAsync(TimeSpan span, CancellationToken cancellationToken)
    {
        var clients = _clients.Values.Where(c => !c.IsClosing).OrderBy(c => c.Id).ToList();
        if (clients.Count == 0)
        {
            return;
        }

        if (span <= TimeSpan.Zero)
        {
            span = TimeSpan.FromSeconds(1);
        }

        var gap = span / clients.Count;
        var batch = 1;
        if (gap > MaxCloseGap)
        {
            gap = MaxCloseGap;
        }
        else if (gap < TimeSpan.FromMilliseconds(1))
        {
            batch = (int)Math.Ceiling(clients.Count / Math.Max(1, span.TotalMilliseconds));
            gap = TimeSpan.FromMilliseconds(1);
        }

        _logger.LogInformation("Lame duck mode: closing {count} clients, {batch} about every {gap} ms", clients.Count, batch, (int)gap.TotalMilliseconds);
        for (var i = 0; i < clients.Count; i++)
        {
            clients[i].BeginClose(CloseReason.ServerShutdown, flushFirst: true);
            if ((i + 1) % batch == 0 && i + 1 < clients.Count)
            {
                var pause = gap / 2 + gap / 2 * Random.Shared.NextDouble();
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
