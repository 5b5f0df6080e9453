using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Discovery;
using Modular.Abstractions.Plugins;
using Modular.Plugins.Gossip;

[assembly: ModularPlugin("gossip", typeof(GossipDiscoveryPlugin), ModularSeam.Discovery)]

namespace Modular.Plugins.Gossip;

/// <summary>
/// Gossip discovery, as nats-server does it: configure a few seed routes and the cluster finds the
/// rest. A server tells its peers about each newcomer (an INFO with the newcomer's route URL and a
/// gossip mode), and dials the servers it is told about as implicit routes. <c>seeds</c> are DNS
/// names whose every address is dialed as a configured route and re-resolved while running; a seed
/// name itself is never gossiped (peers pass on each server's own address).
/// </summary>
public sealed class GossipDiscoveryPlugin : IModularPlugin, IRouteDiscovery
{
    private readonly object _gate = new();
    private readonly List<Uri> _initial = new();
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Host, int Port)> _seeds = new();
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private IRouteDialer? _dialer;
    private CancellationTokenSource? _stopping;
    private Task? _loop;
    private TimeSpan _reresolve;

    /// <summary>default: nats-server's forwarding rules; disabled: learn nothing, tell nothing; override: always tell, with override.</summary>
    public string Mode { get; private set; } = "default";

    public IReadOnlyList<Uri> InitialRoutes
    {
        get
        {
            lock (_gate)
            {
                return _initial.ToArray();
            }
        }
    }

    public void Configure(PluginContext context)
    {
        var settings = context.Settings;
        _logger = context.Logger;
        Mode = settings.GetChoice("mode", "default", "default", "disabled", "override");
        _reresolve = settings.GetDuration("reresolve_interval", TimeSpan.FromSeconds(30));
        foreach (var seed in settings.GetStringList("seeds"))
        {
            if (!TrySplit(seed, out var host, out var port))
            {
                settings.AddError("seeds", $"expected \"host:port\" (a DNS name and the route port), got \"{seed}\"");
                continue;
            }

            _seeds.Add((host, port));
        }

        foreach (var route in context.ClusterRoutes)
        {
            Remember(route);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var url in await ResolveSeedsAsync(cancellationToken).ConfigureAwait(false))
        {
            Remember(url);
        }

        if (_seeds.Count > 0)
        {
            _stopping = new CancellationTokenSource();
            _loop = Task.Run(() => ReresolveLoopAsync(_stopping.Token), CancellationToken.None);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            if (_loop is not null)
            {
                await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Attach(IRouteDialer dialer) => _dialer = dialer;

    /// <summary>A peer told us about another server: dial it, unless gossip is off here.</summary>
    public IReadOnlyList<Uri> OnPeerInfo(RoutePeerInfo peer) =>
        Mode == "disabled" || peer.RouteUrl is null ? Array.Empty<Uri>() : [peer.RouteUrl];

    /// <summary>nats-server's forwarding rules (2.11), with this plugin's mode on top.</summary>
    public GossipMode? ForwardTo(RoutePeerInfo joined, GossipTarget target)
    {
        switch (Mode)
        {
            case "disabled":
                return null;
            case "override":
                return GossipMode.Override;
        }

        // A server we dialed because someone gossiped it is passed on only when that gossip said override.
        if (joined.Origin == PeerOrigin.Learned && joined.DialedOnGossipMode != GossipMode.Override)
        {
            return null;
        }

        if (joined.GossipMode == GossipMode.Disabled)
        {
            return null;
        }

        return joined.Origin switch
        {
            PeerOrigin.Configured => GossipMode.Override,
            PeerOrigin.Accepted when target.Origin == PeerOrigin.Configured => GossipMode.Override,
            PeerOrigin.Accepted => GossipMode.Disabled,
            _ => GossipMode.Default,
        };
    }

    private bool Remember(Uri url)
    {
        lock (_gate)
        {
            if (!_known.Add(url.Host + ":" + url.Port))
            {
                return false;
            }

            _initial.Add(url);
            return true;
        }
    }

    private async Task ReresolveLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_reresolve);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var url in await ResolveSeedsAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (Remember(url) && _dialer is { } dialer)
                    {
                        _logger.LogInformation("Seed now resolves to {url}", url);
                        dialer.Dial(url, isExplicit: true);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<List<Uri>> ResolveSeedsAsync(CancellationToken cancellationToken)
    {
        var urls = new List<Uri>();
        foreach (var (host, port) in _seeds)
        {
            try
            {
                var addresses = IPAddress.TryParse(host, out var literal)
                    ? [literal]
                    : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
                foreach (var address in addresses)
                {
                    if (address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                    {
                        var text = address.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();
                        urls.Add(new Uri($"nats-route://{text}:{port}"));
                    }
                }
            }
            catch (SocketException e)
            {
                _logger.LogWarning("Seed {host} does not resolve: {error}", host, e.Message);
            }
        }

        return urls;
    }

    private static bool TrySplit(string text, out string host, out int port)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("nats-route://", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed["nats-route://".Length..].TrimEnd('/');
        }

        var colon = trimmed.LastIndexOf(':');
        host = colon > 0 ? trimmed[..colon].Trim('[', ']') : "";
        port = 0;
        return colon > 0 && int.TryParse(trimmed.AsSpan(colon + 1), out port) && port is > 0 and <= 65535;
    }
}
