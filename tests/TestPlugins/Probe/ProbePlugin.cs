using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Discovery;
using Modular.Abstractions.Plugins;
using Modular.Abstractions.Pooling;
using Modular.Abstractions.Transport;
using Modular.TestPlugins.Probe;

[assembly: ModularPlugin("probe", typeof(ProbePlugin), ModularSeam.Transport | ModularSeam.Auth | ModularSeam.Compression | ModularSeam.Discovery | ModularSeam.RoutePooling)]

namespace Modular.TestPlugins.Probe;

/// <summary>
/// Serves every seam without changing anything (allow all, pass-through pipes, static routes, one
/// pool slot per account hash) and logs "probe: configured/started/stopped [table]" through the
/// host's logger. Settings: <c>fail_on_start</c>, <c>fail_on_configure</c>, <c>tag</c>, <c>dedicated</c>.
/// </summary>
public sealed class ProbePlugin : IModularPlugin, IConnectionWrapper, IAuthenticator, IRouteCredentialsProvider, ICompressionProvider, IRouteDiscovery, IRoutePoolingPolicy
{
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private string _table = "";
    private string _tag = "";
    private bool _failOnStart;
    private IReadOnlyList<Uri> _routes = Array.Empty<Uri>();

    public IReadOnlyList<Uri> InitialRoutes => _routes;

    public IReadOnlyCollection<string> DedicatedAccounts { get; private set; } = Array.Empty<string>();

    public string AdvertisedMode => "off";

    public void Configure(PluginContext context)
    {
        _logger = context.Logger;
        _table = context.TableName;
        _routes = context.ClusterRoutes;
        _tag = context.Settings.GetString("tag", "") ?? "";
        _failOnStart = context.Settings.GetBoolean("fail_on_start", false);
        DedicatedAccounts = context.Settings.GetStringList("dedicated");
        if (context.Settings.GetBoolean("fail_on_configure", false))
        {
            throw new InvalidOperationException("probe was told to fail while configuring");
        }

        _logger.LogInformation("probe: configured [{Table}] {Tag}", _table, _tag);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_failOnStart)
        {
            throw new InvalidOperationException("probe was told to fail while starting");
        }

        _logger.LogInformation("probe: started [{Table}] {Tag}", _table, _tag);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _logger.LogInformation("probe: stopped [{Table}] {Tag}", _table, _tag);
        return Task.CompletedTask;
    }

    public ValueTask WrapAsync(ModularConnection connection, ConnectionKind kind, ConnectionRole role, CancellationToken cancellationToken = default)
    {
        connection.Features.Set(new ProbeFeature(_tag));
        return ValueTask.CompletedTask;
    }

    public bool IsRequired(ConnectionKind kind) => false;

    public ValueTask<AuthDecision> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(AuthDecision.Allow("$G", request.User));

    public RouteCredentials CredentialsFor(Uri routeUrl) => default;

    public string Negotiate(string? peerMode, TimeSpan? rtt) => "off";

    public bool Compresses(string? mode) => false;

    public void Wrap(ModularConnection connection, string mode)
    {
    }

    public void Attach(IRouteDialer dialer)
    {
    }

    public IReadOnlyList<Uri> OnPeerInfo(RoutePeerInfo peer) => Array.Empty<Uri>();

    public int PoolIndexFor(ReadOnlySpan<byte> account, int poolSize)
    {
        var hash = 2166136261u;
        foreach (var b in account)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)poolSize);
    }
}

/// <summary>The mark the probe's connection wrapper leaves on a connection.</summary>
public sealed record ProbeFeature(string Tag);
