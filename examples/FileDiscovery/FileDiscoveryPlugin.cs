using FileDiscovery;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Discovery;
using Modular.Abstractions.Plugins;

[assembly: ModularPlugin("file-discovery", typeof(FileDiscoveryPlugin), ModularSeam.Discovery)]

namespace FileDiscovery;

/// <summary>
/// Route discovery from a file: the routes listed in <c>peers_file</c> (plus the configured
/// <c>routes</c>) are dialed at start, and the file is watched: a line added while the server runs
/// is dialed at once (file system events, with a poll every <c>poll_interval</c> as a safety net).
/// A line removed keeps its route until the connection drops; the dialer has no "forget".
/// </summary>
public sealed class FileDiscoveryPlugin : IModularPlugin, IRouteDiscovery
{
    private readonly object _lock = new();
    private readonly List<Uri> _known = new();
    private readonly SemaphoreSlim _changed = new(0, int.MaxValue);
    private readonly HashSet<string> _reportedProblems = new(StringComparer.Ordinal);
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private string _path = "";
    private TimeSpan _pollInterval;
    private IRouteDialer? _dialer;
    private FileSystemWatcher? _watcher;
    private CancellationTokenSource? _stopping;
    private Task? _loop;

    public IReadOnlyList<Uri> InitialRoutes
    {
        get
        {
            lock (_lock)
            {
                return _known.ToArray();
            }
        }
    }

    public void Configure(PluginContext context)
    {
        var settings = context.Settings;
        _logger = context.Logger;
        var file = settings.GetRequiredString("peers_file");
        _pollInterval = settings.GetDuration("poll_interval", TimeSpan.FromSeconds(1));
        if (_pollInterval < TimeSpan.FromMilliseconds(50))
        {
            settings.AddError("poll_interval", "must be at least 50ms");
        }

        foreach (var route in context.ClusterRoutes)
        {
            AddIfNew(route);
        }

        if (file.Length == 0)
        {
            return;
        }

        _path = context.ResolvePath(file);
        if (!File.Exists(_path))
        {
            settings.AddError("peers_file", $"no such file: {_path} (create it, even empty, before starting)");
            return;
        }

        var problems = new List<string>();
        foreach (var route in PeersFile.Parse(_path, File.ReadAllLines(_path), problems))
        {
            AddIfNew(route);
        }

        foreach (var problem in problems)
        {
            settings.AddError("peers_file", problem);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(_path)!;
        _watcher = new FileSystemWatcher(folder, Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => _changed.Release();
        _watcher.Created += (_, _) => _changed.Release();
        _watcher.Renamed += (_, _) => _changed.Release();
        _watcher.EnableRaisingEvents = true;
        _stopping = new CancellationTokenSource();
        _loop = Task.Run(() => WatchAsync(_stopping.Token), CancellationToken.None);
        _logger.LogInformation("Watching {path} for route peers ({count} known)", _path, InitialRoutes.Count);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        _watcher = null;
        if (_stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            if (_loop is not null)
            {
                await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            _stopping.Dispose();
            _stopping = null;
        }
    }

    public void Attach(IRouteDialer dialer)
    {
        _dialer = dialer;
        _changed.Release(); // lines added between start and now are dialed too
    }

    public IReadOnlyList<Uri> OnPeerInfo(RoutePeerInfo peer) => Array.Empty<Uri>();

    private bool AddIfNew(Uri route)
    {
        lock (_lock)
        {
            if (_known.Contains(route))
            {
                return false;
            }

            _known.Add(route);
            return true;
        }
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await _changed.WaitAsync(_pollInterval, cancellationToken).ConfigureAwait(false);
                if (_dialer is { } dialer)
                {
                    Rescan(dialer);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Rescan(IRouteDialer dialer)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(_path);
        }
        catch (IOException ex)
        {
            _logger.LogWarning("Peers file {path} cannot be read: {error}", _path, ex.Message);
            return;
        }

        var problems = new List<string>();
        foreach (var route in PeersFile.Parse(_path, lines, problems))
        {
            if (AddIfNew(route))
            {
                _logger.LogInformation("Peers file lists a new route {route}, dialing it", route);
                dialer.Dial(route, isExplicit: true);
            }
        }

        foreach (var problem in problems)
        {
            if (_reportedProblems.Add(problem))
            {
                _logger.LogWarning("Peers file: {problem} (line skipped)", problem);
            }
        }
    }
}
