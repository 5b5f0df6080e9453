using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Discovery;
using Modular.Abstractions.Plugins;
using Modular.Plugins.Dns;

[assembly: ModularPlugin("dns", typeof(DnsDiscoveryPlugin), ModularSeam.Discovery)]

namespace Modular.Plugins.Dns;

/// <summary>
/// Route discovery from DNS: every address <c>name</c> resolves to is a peer on <c>port</c>,
/// re-resolved every <c>interval</c>; new addresses are dialed as explicit routes. The configured
/// <c>routes</c> are dialed too. Addresses that disappear keep their route until it drops.
/// </summary>
public sealed class DnsDiscoveryPlugin : IModularPlugin, IRouteDiscovery
{
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Uri> _initial = new();
    private CancellationTokenSource? _stopping;
    private Task? _loop;
    private IRouteDialer? _dialer;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private string _name = "";
    private int _port;
    private TimeSpan _interval;

    public IReadOnlyList<Uri> InitialRoutes
    {
        get
        {
            lock (_known)
            {
                return _initial.ToArray();
            }
        }
    }

    public void Configure(PluginContext context)
    {
        var settings = context.Settings;
        _logger = context.Logger;
        _name = settings.GetRequiredString("name").Trim();
        _port = (int)settings.GetInteger("port", 6222, 1, 65535);
        _interval = settings.GetDuration("interval", TimeSpan.FromSeconds(30));
        if (_interval < TimeSpan.FromMilliseconds(100))
        {
            settings.AddError("interval", "must be at least 100ms");
        }

        foreach (var route in context.ClusterRoutes)
        {
            Remember(route);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The first answer decides the initial routes; a name that does not resolve yet is retried by the loop.
        foreach (var url in await ResolveAsync(cancellationToken).ConfigureAwait(false))
        {
            Remember(url);
        }

        _stopping = new CancellationTokenSource();
        _loop = Task.Run(() => RefreshLoopAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        _stopping.Dispose();
        _stopping = null;
    }

    public void Attach(IRouteDialer dialer) => _dialer = dialer;

    public IReadOnlyList<Uri> OnPeerInfo(RoutePeerInfo peer) => Array.Empty<Uri>();

    private bool Remember(Uri url)
    {
        lock (_known)
        {
            if (!_known.Add(url.ToString()))
            {
                return false;
            }

            _initial.Add(url);
            return true;
        }
    }

    private async Task RefreshLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var url in await ResolveAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (Remember(url) && _dialer is { } dialer)
                    {
                        _logger.LogInformation("DNS name {name} now has peer {url}", _name, url);
                        dialer.Dial(url, isExplicit: true);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<IReadOnlyList<Uri>> ResolveAsync(CancellationToken cancellationToken)
    {
        try
        {
            var addresses = await System.Net.Dns.GetHostAddressesAsync(_name, cancellationToken).ConfigureAwait(false);
            return addresses
                .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                .Select(a => new Uri($"nats-route://{(a.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + a + "]" : a.ToString())}:{_port}"))
                .ToList();
        }
        catch (SocketException ex)
        {
            _logger.LogWarning("DNS name {name} does not resolve: {error}", _name, ex.Message);
            return Array.Empty<Uri>();
        }
    }
}
