using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Modular.Server.Commands;

/// <summary>
/// <c>modular run --config_watch INTERVAL</c>: reloads the configuration when the file's content
/// changes, for places where nobody can send SIGHUP (a Kubernetes pod without a shared process
/// namespace). It polls a hash of the content rather than watching inotify events, because a
/// ConfigMap volume is updated by swapping a symlink two levels above the file, which file-change
/// notifications on the file's own path do not report. A change calls the same reload as SIGHUP;
/// a refused reload is logged there and not retried until the content changes again.
/// </summary>
internal sealed class ConfigWatcher : IAsyncDisposable
{
    private readonly string _path;
    private readonly Func<Task> _reload;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _polling;
    private byte[]? _lastHash;
    private bool _unreadableReported;
    private int _disposed;

    private ConfigWatcher(string path, TimeSpan interval, Func<Task> reload, ILogger logger)
    {
        _path = path;
        _reload = reload;
        _logger = logger;
        _lastHash = TryHash();
        _polling = PollAsync(interval, _stop.Token);
    }

    /// <summary>Starts polling <paramref name="path"/> every <paramref name="interval"/>; the content at this moment is the baseline.</summary>
    public static ConfigWatcher Start(string path, TimeSpan interval, Func<Task> reload, ILogger logger)
    {
        logger.LogInformation("Watching {File} for changes every {Interval}", path, interval);
        return new ConfigWatcher(path, interval, reload, logger);
    }

    /// <summary>Stops polling and waits for a reload in progress; safe to call twice (the run stops it early, then leaves its scope).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _polling.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting for the next tick.
        }

        _stop.Dispose();
    }

    private async Task PollAsync(TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            var hash = TryHash();
            if (hash is null || (_lastHash is not null && hash.AsSpan().SequenceEqual(_lastHash)))
            {
                continue;
            }

            _lastHash = hash;
            _logger.LogInformation("{File} changed: reloading the configuration", _path);
            try
            {
                await _reload().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Reload failed; still running on the previous configuration");
            }
        }
    }

    /// <summary>The SHA-256 of the file's content, or null while it cannot be read (mid-swap, removed), reported once per outage.</summary>
    private byte[]? TryHash()
    {
        try
        {
            var hash = SHA256.HashData(File.ReadAllBytes(_path));
            _unreadableReported = false;
            return hash;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (!_unreadableReported)
            {
                _unreadableReported = true;
                _logger.LogWarning("Cannot read {File} to watch it: {Reason}; still running on the previous configuration", _path, ex.Message);
            }

            return null;
        }
    }
}
