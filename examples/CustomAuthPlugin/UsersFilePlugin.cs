using System.Security.Cryptography;
using System.Text;
using CustomAuthPlugin;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Plugins;
using Modular.Abstractions.Transport;

[assembly: ModularPlugin("users-file", typeof(UsersFilePlugin), ModularSeam.Auth)]

namespace CustomAuthPlugin;

/// <summary>
/// Authenticates clients ([server.auth]) or routes ([cluster.auth]) against a users file, re-read
/// when it changes. A wrong or missing user or password is denied, which the server answers with
/// nats-server's <c>-ERR 'Authorization Violation'</c>. In [cluster.auth], <c>user</c> and
/// <c>password</c> are what this server presents on the routes it dials; without them the
/// credentials in the route URL are used.
/// </summary>
public sealed class UsersFilePlugin : IModularPlugin, IAuthenticator, IRouteCredentialsProvider
{
    private const string GlobalAccount = "$G";

    private readonly object _lock = new();
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private string _path = "";
    private DateTime _loadedWriteTime;
    private IReadOnlyDictionary<string, UserEntry> _users = new Dictionary<string, UserEntry>();
    private RouteCredentials? _routeCredentials;

    public void Configure(PluginContext context)
    {
        var settings = context.Settings;
        _logger = context.Logger;
        var file = settings.GetRequiredString("users_file");
        var user = settings.GetString("user");
        var password = settings.GetString("password");
        if ((user is null) != (password is null))
        {
            settings.AddError(user is null ? "password" : "user", "user and password go together: set both or neither");
        }
        else if (user is not null && context.TableName != "cluster.auth")
        {
            settings.AddError("user", $"user and password are the credentials for routes this server dials; they belong in [cluster.auth], not [{context.TableName}]");
        }
        else if (user is not null)
        {
            _routeCredentials = new RouteCredentials(user, password);
        }

        if (file.Length == 0)
        {
            return;
        }

        _path = context.ResolvePath(file);
        if (!File.Exists(_path))
        {
            settings.AddError("users_file", $"no such file: {_path}");
            return;
        }

        var problems = new List<string>();
        Load(problems);
        foreach (var problem in problems)
        {
            settings.AddError("users_file", problem);
        }

        _logger.LogInformation("Users file {path} has {count} users for [{table}]", _path, _users.Count, context.TableName);
    }

    public TSeam? GetSeam<TSeam>()
        where TSeam : class
    {
        // Hand out route credentials only when configured; otherwise the route URL's userinfo is used.
        if (typeof(TSeam) == typeof(IRouteCredentialsProvider) && _routeCredentials is null)
        {
            return null;
        }

        return this as TSeam;
    }

    public bool IsRequired(ConnectionKind kind) => true;

    public ValueTask<AuthDecision> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken = default)
    {
        ReloadIfChanged();
        var users = Volatile.Read(ref _users);
        if (request.User is { } user && users.TryGetValue(user, out var entry) && SamePassword(entry.Password, request.Password))
        {
            return ValueTask.FromResult(AuthDecision.Allow(entry.Account ?? GlobalAccount, user));
        }

        _logger.LogWarning("Denied {kind} user {user} from {remote}", request.Kind, request.User ?? "(none)", request.RemoteEndPoint);
        return ValueTask.FromResult(AuthDecision.Deny);
    }

    public RouteCredentials CredentialsFor(Uri routeUrl) => _routeCredentials ?? default;

    private static bool SamePassword(string expected, string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));

    private void Load(List<string> problems)
    {
        var writeTime = File.GetLastWriteTimeUtc(_path);
        var parsed = UsersFile.Parse(_path, File.ReadAllLines(_path), problems);
        Volatile.Write(ref _users, parsed.Users);
        _loadedWriteTime = writeTime;
    }

    /// <summary>A changed file is read again; if it has become unreadable or bad, the users known so far stay.</summary>
    private void ReloadIfChanged()
    {
        try
        {
            if (File.GetLastWriteTimeUtc(_path) == _loadedWriteTime)
            {
                return;
            }

            lock (_lock)
            {
                var problems = new List<string>();
                var writeTime = File.GetLastWriteTimeUtc(_path);
                if (writeTime == _loadedWriteTime)
                {
                    return;
                }

                var parsed = UsersFile.Parse(_path, File.ReadAllLines(_path), problems);
                _loadedWriteTime = writeTime;
                if (problems.Count > 0)
                {
                    _logger.LogWarning("Users file changed but has problems, keeping the previous users: {problems}", string.Join("; ", problems));
                    return;
                }

                Volatile.Write(ref _users, parsed.Users);
                _logger.LogInformation("Users file {path} re-read: {count} users", _path, parsed.Users.Count);
            }
        }
        catch (IOException ex)
        {
            _logger.LogWarning("Users file {path} cannot be read, keeping the previous users: {error}", _path, ex.Message);
        }
    }
}
