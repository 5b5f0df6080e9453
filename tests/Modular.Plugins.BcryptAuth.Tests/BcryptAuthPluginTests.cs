using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Plugins;
using Modular.Abstractions.Transport;

namespace Modular.Plugins.BcryptAuth.Tests;

public sealed class BcryptAuthPluginTests
{
    private const string RoutePassword = "s3cret-route";
    private static readonly string RouteHash = BCrypt.Net.BCrypt.HashPassword(RoutePassword, 4);
    private static readonly EndPoint Remote = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 40000);

    [Fact]
    public async Task Route_HashedPassword_RightPasswordAllowedWrongDenied()
    {
        var (plugin, settings, _) = Configure("cluster.auth", new() { ["user"] = "ruser", ["password"] = RouteHash });

        Assert.Empty(settings.Errors);
        Assert.True(plugin.IsRequired(ConnectionKind.Route));
        Assert.False(plugin.IsRequired(ConnectionKind.Client));
        Assert.True((await plugin.AuthenticateAsync(Route("ruser", RoutePassword))).Allowed);
        Assert.True((await plugin.AuthenticateAsync(Route("ruser", RoutePassword))).Allowed); // from the remembered digest
        Assert.False((await plugin.AuthenticateAsync(Route("ruser", "wrong"))).Allowed);
        Assert.False((await plugin.AuthenticateAsync(Route("other", RoutePassword))).Allowed);
        Assert.False((await plugin.AuthenticateAsync(Route(null, null))).Allowed);
    }

    [Theory]
    [InlineData("$2b$")]
    [InlineData("$2y$")]
    public async Task Route_OtherBcryptVersions_Checked(string prefix)
    {
        var hash = prefix + RouteHash[4..];
        var (plugin, settings, _) = Configure("cluster.auth", new() { ["user"] = "ruser", ["password"] = hash });

        Assert.Empty(settings.Errors);
        Assert.True((await plugin.AuthenticateAsync(Route("ruser", RoutePassword))).Allowed);
    }

    [Fact]
    public async Task Route_PlainPassword_AllowedWithAWarningAtStart()
    {
        var (plugin, settings, log) = Configure("cluster.auth", new() { ["user"] = "ruser", ["password"] = "plain-pw" });
        await plugin.StartAsync(CancellationToken.None);

        Assert.Empty(settings.Errors);
        Assert.True((await plugin.AuthenticateAsync(Route("ruser", "plain-pw"))).Allowed);
        Assert.False((await plugin.AuthenticateAsync(Route("ruser", "plain-pw2"))).Allowed);
        Assert.Contains(log.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("plain text", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Route_Failure_LoggedWithAddressAndUserButNeverThePassword()
    {
        var (plugin, _, log) = Configure("cluster.auth", new() { ["user"] = "ruser", ["password"] = RouteHash });

        await plugin.AuthenticateAsync(Route("ruser", "the-wrong-secret"));

        var line = Assert.Single(log.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains("10.1.2.3:40000", line.Text);
        Assert.Contains("ruser", line.Text);
        Assert.DoesNotContain("the-wrong-secret", line.Text);
        Assert.DoesNotContain(RouteHash, line.Text);
    }

    [Fact]
    public void Route_MalformedHashTokenOrUsers_AreConfigErrors()
    {
        var (_, broken, _) = Configure("cluster.auth", new() { ["user"] = "ruser", ["password"] = "$2a$11$tooshort" });
        var (_, token, _) = Configure("cluster.auth", new() { ["user"] = "ruser", ["password"] = "x", ["token"] = "t" });
        var (_, missing, _) = Configure("cluster.auth", new() { ["user"] = "ruser" });

        Assert.Contains(broken.Errors, e => e.Key == "cluster.auth.password" && e.Message.Contains("not a whole one", StringComparison.Ordinal));
        Assert.Contains(token.Errors, e => e.Key == "cluster.auth.token" && e.Message.Contains("tokens", StringComparison.Ordinal));
        Assert.Contains(missing.Errors, e => e.Key == "cluster.auth.password");
    }

    [Fact]
    public void Credentials_ConfiguredRouteUrl_SendsTheUrlsUserAndPassword()
    {
        var configured = new Uri("nats-route://ruser:url%40pw@n2.example:6222");
        var (plugin, _, _) = Configure("cluster.auth", new() { ["user"] = "ruser", ["password"] = "plain-pw" }, routes: [configured]);

        Assert.Equal(new RouteCredentials("ruser", "url@pw"), plugin.CredentialsFor(configured));
    }

    [Fact]
    public void Credentials_LearnedRoute_SendsOwnPlainCredentialsButNeverAHash()
    {
        var learned = new Uri("nats-route://10.0.0.7:6222");
        var (plain, _, _) = Configure("cluster.auth", new() { ["user"] = "ruser", ["password"] = "plain-pw" });
        var (hashed, _, _) = Configure("cluster.auth", new() { ["user"] = "ruser", ["password"] = RouteHash });

        Assert.Equal(new RouteCredentials("ruser", "plain-pw"), plain.CredentialsFor(learned));
        Assert.Equal(default, hashed.CredentialsFor(learned));
    }

    [Fact]
    public async Task Clients_UsersOfAccounts_HashAndPlainChecked_AccountReturned()
    {
        var users = new[]
        {
            new AccountUser("ORDERS", "alice", BCrypt.Net.BCrypt.HashPassword("alice-pw", 4)),
            new AccountUser("BILLING", "bob", "bob-pw"),
        };
        var (plugin, settings, _) = Configure("server.auth", new(), accountUsers: users);

        Assert.Empty(settings.Errors);
        Assert.True(plugin.IsRequired(ConnectionKind.Client));
        Assert.Null(plugin.GetSeam<IRouteCredentialsProvider>());
        var alice = await plugin.AuthenticateAsync(new AuthRequest(ConnectionKind.Client, "alice", "alice-pw", null, Remote));
        var bob = await plugin.AuthenticateAsync(new AuthRequest(ConnectionKind.Client, "bob", "bob-pw", null, Remote));
        Assert.Equal(AuthDecision.Allow("ORDERS", "alice"), alice);
        Assert.Equal(AuthDecision.Allow("BILLING", "bob"), bob);
        Assert.False((await plugin.AuthenticateAsync(new AuthRequest(ConnectionKind.Client, "alice", "bob-pw", null, Remote))).Allowed);
    }

    [Fact]
    public void Clients_NoAccountUsers_IsAConfigError()
    {
        var (_, settings, _) = Configure("server.auth", new());

        Assert.Contains(settings.Errors, e => e.Message.Contains("[accounts.*]", StringComparison.Ordinal));
    }

    [Fact]
    public void StoredPassword_Recognises_BcryptAsNatsServerDoes()
    {
        Assert.True(StoredPassword.LooksLikeBcrypt("$2a$11$abc"));
        Assert.True(StoredPassword.LooksLikeBcrypt("$2b$04$abc"));
        Assert.False(StoredPassword.LooksLikeBcrypt("$2c$11$abc"));
        Assert.False(StoredPassword.LooksLikeBcrypt("plain$2a$11$"));
        Assert.True(StoredPassword.IsWellFormedHash(RouteHash));
    }

    private static AuthRequest Route(string? user, string? password) => new(ConnectionKind.Route, user, password, null, Remote);

    private static (BcryptAuthPlugin Plugin, PluginSettings Settings, CapturingLoggerFactory Log) Configure(
        string table,
        Dictionary<string, object> values,
        IReadOnlyList<Uri>? routes = null,
        IReadOnlyList<AccountUser>? accountUsers = null)
    {
        var settings = new PluginSettings(table, values.ToDictionary(p => p.Key, p => new PluginSetting(p.Value, 3)), 2);
        var log = new CapturingLoggerFactory();
        var plugin = new BcryptAuthPlugin();
        plugin.Configure(new PluginContext
        {
            PluginName = "bcrypt",
            TableName = table,
            Settings = settings,
            LoggerFactory = log,
            ClusterRoutes = routes ?? [],
            AccountUsers = accountUsers ?? [],
        });
        return (plugin, settings, log);
    }
}

/// <summary>Keeps every formatted log line, for checking what a plugin logs.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
{
    private readonly List<(LogLevel Level, string Text)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToArray();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add((logLevel, formatter(state, exception)));
        }
    }

    public void Dispose()
    {
    }
}
