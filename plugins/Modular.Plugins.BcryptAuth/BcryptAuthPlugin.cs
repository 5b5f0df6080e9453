using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Plugins;
using Modular.Abstractions.Transport;
using Modular.Plugins.BcryptAuth;

[assembly: ModularPlugin("bcrypt", typeof(BcryptAuthPlugin), ModularSeam.Auth)]

namespace Modular.Plugins.BcryptAuth;

/// <summary>
/// Password authentication where the stored password is a bcrypt hash (or plain text, with a warning).
/// In [cluster.auth]: the one route user and password peers must present, as nats-server's
/// <c>cluster.authorization</c>; routes this server dials send the user:password of their route URL
/// (routes learned from peers, which have no URL of ours, send this table's user and password when
/// that password is plain). In [server.auth]: the users of <c>[accounts.*]</c>, whose passwords may be
/// bcrypt hashes. In [gateway.auth]: the one user and password gateways of other clusters must present,
/// as nats-server's <c>gateway.authorization</c>; a gateway this server dials sends the user:password
/// of its URL, else this table's (when that password is plain; nats-server sends its gateway
/// authorization user and password). A refusal is logged with the remote address and the user, never a password.
/// </summary>
public sealed class BcryptAuthPlugin : IModularPlugin, IAuthenticator, IRouteCredentialsProvider
{
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly Dictionary<string, (StoredPassword Password, string Account)> _users = new(StringComparer.Ordinal);
    // Replaced whole when a reload changes the route list, as dials read it concurrently.
    private HashSet<string> _configuredRoutes = new(StringComparer.OrdinalIgnoreCase);
    // Route or Gateway: the one peer user of [cluster.auth] or [gateway.auth]; Client: [server.auth]'s users.
    private ConnectionKind _kind;
    private string _table = "";
    private string? _routeUser;
    private string? _routePlainPassword;
    private readonly List<string> _startWarnings = new();

    public void Configure(PluginContext context)
    {
        var settings = context.Settings;
        _logger = context.Logger;
        _table = context.TableName;
        _kind = context.TableName.StartsWith("cluster.", StringComparison.Ordinal) ? ConnectionKind.Route
            : context.TableName.StartsWith("gateway.", StringComparison.Ordinal) ? ConnectionKind.Gateway
            : context.TableName.StartsWith("leafnodes.", StringComparison.Ordinal) ? ConnectionKind.Leafnode
            : ConnectionKind.Client;
        if (_kind == ConnectionKind.Leafnode)
        {
            ConfigureLeafs(context);
        }
        else if (IsPeerTable)
        {
            ConfigureRoutes(context);
        }
        else
        {
            ConfigureClients(context);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var warning in _startWarnings)
        {
            _logger.LogWarning("[{table}] {warning}", _table, warning);
        }

        return Task.CompletedTask;
    }

    public TSeam? GetSeam<TSeam>()
        where TSeam : class =>
        typeof(TSeam) == typeof(IRouteCredentialsProvider) && !IsPeerTable ? null : this as TSeam;

    public bool IsRequired(ConnectionKind kind) => _users.Count > 0 && kind == _kind;

    // Routes and gateways: one peer user, and credentials for the connections this server dials.
    private bool IsPeerTable => _kind is ConnectionKind.Route or ConnectionKind.Gateway;

    public ValueTask<AuthDecision> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken = default)
    {
        if (request.User is { } known && _users.TryGetValue(known, out var stored) && !stored.Password.IsQuickToCheck(request.Password))
        {
            // bcrypt costs ~2^cost rounds (100 ms and more): never on the socket thread that read the CONNECT.
            return new ValueTask<AuthDecision>(Task.Run(() => Decide(request), cancellationToken));
        }

        return ValueTask.FromResult(Decide(request));
    }

    private AuthDecision Decide(AuthRequest request)
    {
        if (request.User is { } user && _users.TryGetValue(user, out var entry))
        {
            if (entry.Password.Matches(request.Password))
            {
                return AuthDecision.Allow(entry.Account, user);
            }

            _logger.LogWarning("{kind} authentication failed for user \"{user}\" from {remote}: wrong password", KindText(request.Kind), user, request.RemoteEndPoint);
        }
        else
        {
            _logger.LogWarning(
                "{kind} authentication failed from {remote}: {problem}",
                KindText(request.Kind),
                request.RemoteEndPoint,
                request.User is null ? "no user given" : $"unknown user \"{request.User}\"");
        }

        return AuthDecision.Deny;
    }

    /// <summary>The route URL's user:password; a route learned from a peer (not one of ours) gets this table's plain credentials.</summary>
    public RouteCredentials CredentialsFor(Uri routeUrl)
    {
        if (!string.IsNullOrEmpty(routeUrl.UserInfo))
        {
            var parts = routeUrl.UserInfo.Split(':', 2);
            return new RouteCredentials(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null);
        }

        if (!Volatile.Read(ref _configuredRoutes).Contains(HostPort(routeUrl)) && _routePlainPassword is not null)
        {
            return new RouteCredentials(_routeUser, _routePlainPassword);
        }

        return default;
    }

    /// <summary>A reload's route list gets the start-up check: no bcrypt hash where the plain password belongs.</summary>
    public void CheckClusterRoutes(IReadOnlyList<Uri> routes, IReadOnlyList<int> routeLines, PluginSettings report)
    {
        if (_kind == ConnectionKind.Route)
        {
            CheckRouteUrls(routes, routeLines, report);
        }
    }

    /// <summary>Routes a reload added are configured ones from now on (they send their own URL's credentials).</summary>
    public void OnClusterRoutesChanged(IReadOnlyList<Uri> routes) =>
        Volatile.Write(ref _configuredRoutes, new HashSet<string>(routes.Select(HostPort), StringComparer.OrdinalIgnoreCase));

    private void ConfigureRoutes(PluginContext context)
    {
        var settings = context.Settings;
        var isRoute = _kind == ConnectionKind.Route;
        if (isRoute)
        {
            CheckRouteUrls(context.ClusterRoutes, context.ClusterRouteLines, settings);
        }

        var what = isRoute ? "route" : "gateway";
        var user = settings.GetRequiredString("user");
        var password = settings.GetRequiredString("password");
        foreach (var key in new[] { "token", "users" })
        {
            if (settings.Contains(key))
            {
                settings.AddError(key, key == "token"
                    ? $"{what} authorization does not take tokens (as nats-server); use user and password"
                    : $"{what} authorization has one user (as nats-server): set user and password");
            }
        }

        if (user.Length == 0 || password.Length == 0)
        {
            return;
        }

        if (!AddUser(settings, "password", user, password, "$G"))
        {
            return;
        }

        _routeUser = user;
        if (!StoredPassword.LooksLikeBcrypt(password))
        {
            _routePlainPassword = password;
            _startWarnings.Add($"password is plain text; store a bcrypt hash instead (make one with `modular passwd`) and keep the plain password only in the {what} URLs of the peers");
        }

        if (!isRoute)
        {
            return;
        }

        foreach (var route in context.ClusterRoutes)
        {
            _configuredRoutes.Add(HostPort(route));
            if (string.IsNullOrEmpty(route.UserInfo))
            {
                _startWarnings.Add($"route {route} has no user:password@: peers that require route authorization will refuse this server's connection to them");
            }
        }
    }

    /// <summary>
    /// nats-server issue #750: a route URL carries the password this server sends, which the peer
    /// compares with the hash in its own [cluster.auth]; a hash pasted into the URL can never match.
    /// </summary>
    private static void CheckRouteUrls(IReadOnlyList<Uri> routes, IReadOnlyList<int> routeLines, PluginSettings report)
    {
        for (var i = 0; i < routes.Count; i++)
        {
            var userInfo = routes[i].UserInfo;
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !StoredPassword.LooksLikeBcrypt(Uri.UnescapeDataString(userInfo[(colon + 1)..])))
            {
                continue;
            }

            var line = i < routeLines.Count ? routeLines[i] : 0;
            report.AddErrorAt("cluster.routes", line, "the password in this route URL is a bcrypt hash, but a route URL holds the plain password this server sends to the peer "
                + "(the peer compares it with the hash in its own [cluster.auth]); put the plain password here and the hash only in [cluster.auth] password");
        }
    }

    /// <summary>
    /// [leafnodes.auth]: with user and password, the one leaf login (bound to account, default the
    /// global account), as nats-server's leafnodes authorization; without, leaf nodes log in as the
    /// users of [accounts.*] and are bound to theirs (nats-server without leafnode authorization).
    /// </summary>
    private void ConfigureLeafs(PluginContext context)
    {
        var settings = context.Settings;
        if (!settings.Contains("user") && !settings.Contains("password"))
        {
            if (settings.Contains("account"))
            {
                settings.AddError("account", "account binds the one leaf login of user and password; set them too");
            }

            ConfigureClients(context);
            return;
        }

        var user = settings.GetRequiredString("user");
        var password = settings.GetRequiredString("password");
        var account = settings.GetString("account") ?? "$G";
        if (user.Length == 0 || password.Length == 0)
        {
            return;
        }

        if (AddUser(settings, "password", user, password, account) && !StoredPassword.LooksLikeBcrypt(password))
        {
            _startWarnings.Add("password is plain text; store a bcrypt hash instead (make one with `modular passwd`) and keep the plain password only in the leaf nodes' remote URLs");
        }
    }

    private void ConfigureClients(PluginContext context)
    {
        if (context.AccountUsers.Count == 0)
        {
            context.Settings.AddError("use", $"[{context.TableName}] with bcrypt checks the users of [accounts.*], and none are configured");
            return;
        }

        var plain = new List<string>();
        foreach (var user in context.AccountUsers)
        {
            if (AddUser(context.Settings, "use", user.User, user.Password, user.Account) && !StoredPassword.LooksLikeBcrypt(user.Password))
            {
                plain.Add(user.User);
            }
        }

        if (plain.Count > 0)
        {
            _startWarnings.Add($"{plain.Count} user(s) of [accounts.*] have plain-text passwords ({string.Join(", ", plain)}); store bcrypt hashes instead (make them with `modular passwd`)");
        }
    }

    private bool AddUser(PluginSettings settings, string key, string user, string password, string account)
    {
        if (StoredPassword.LooksLikeBcrypt(password) && !StoredPassword.IsWellFormedHash(password))
        {
            settings.AddError(key, $"the password of user \"{user}\" starts like a bcrypt hash but is not a whole one (expected 60 characters like $2a$11$ followed by 53 of [./A-Za-z0-9])");
            return false;
        }

        if (!_users.TryAdd(user, (new StoredPassword(password), account)))
        {
            settings.AddError(key, $"user \"{user}\" is configured twice");
            return false;
        }

        return true;
    }

    private static string KindText(ConnectionKind kind) => kind.ToString();

    private static string HostPort(Uri url) => url.IdnHost + ":" + url.Port;
}
