using System.Net;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Examples;

/// <summary>examples/CustomAuthPlugin ("users-file"), loaded through the real loader from its built folder.</summary>
public sealed class CustomAuthPluginTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static AuthRequest Client(string? user, string? password) =>
        new(ConnectionKind.Client, user, password, null, new IPEndPoint(IPAddress.Loopback, 50000));

    [Fact]
    public async Task ClientAuth_UsersFile_AllowsListedUsersIntoTheirAccountAndDeniesOthers()
    {
        _scratch.Write("users.txt", "# comment\nalice wonderland\nbob builder ORDERS\n");
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.CustomAuth)}]

            [server.auth]
            use = "users-file"
            users_file = "users.txt"
            """;
        var (catalog, composition, _) = Compose.Configure(_scratch, toml);
        using (catalog)
        {
            await using (composition)
            {
                await composition.StartAsync();
                var auth = composition.Seams.ClientAuthenticator!;

                Assert.True(auth.IsRequired(ConnectionKind.Client));
                Assert.Equal(AuthDecision.Allow("$G", "alice"), await auth.AuthenticateAsync(Client("alice", "wonderland")));
                Assert.Equal(AuthDecision.Allow("ORDERS", "bob"), await auth.AuthenticateAsync(Client("bob", "builder")));
                Assert.False((await auth.AuthenticateAsync(Client("alice", "wrong"))).Allowed);
                Assert.False((await auth.AuthenticateAsync(Client("mallory", "wonderland"))).Allowed);
                Assert.False((await auth.AuthenticateAsync(Client(null, null))).Allowed);
                Assert.Null(composition.Seams.RouteCredentials);
            }
        }
    }

    [Fact]
    public async Task ClientAuth_UsersFileChanges_NewUserIsAcceptedWithoutRestart()
    {
        var users = _scratch.Write("users.txt", "alice wonderland\n");
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.CustomAuth)}]

            [server.auth]
            use = "users-file"
            users_file = "users.txt"
            """;
        var (catalog, composition, _) = Compose.Configure(_scratch, toml);
        using (catalog)
        {
            await using (composition)
            {
                var auth = composition.Seams.ClientAuthenticator!;
                Assert.False((await auth.AuthenticateAsync(Client("carol", "c"))).Allowed);

                File.AppendAllText(users, "carol c\n");
                File.SetLastWriteTimeUtc(users, DateTime.UtcNow.AddSeconds(5));

                Assert.True((await auth.AuthenticateAsync(Client("carol", "c"))).Allowed);
            }
        }
    }

    [Fact]
    public async Task RouteAuth_WithUserAndPassword_HandsOutThemAsRouteCredentials()
    {
        _scratch.Write("routes.txt", "route s3cret\n");
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.CustomAuth)}]

            [cluster]
            listen = "127.0.0.1:0"

            [cluster.auth]
            use = "users-file"
            users_file = "routes.txt"
            user = "route"
            password = "s3cret"
            """;
        var (catalog, composition, _) = Compose.Configure(_scratch, toml);
        using (catalog)
        {
            await using (composition)
            {
                Assert.Equal(new RouteCredentials("route", "s3cret"), composition.Seams.RouteCredentials!.CredentialsFor(new Uri("nats-route://127.0.0.1:6222")));
                var request = new AuthRequest(ConnectionKind.Route, "route", "s3cret", null, null);
                Assert.True((await composition.Seams.RouteAuthenticator!.AuthenticateAsync(request)).Allowed);
                Assert.False((await composition.Seams.RouteAuthenticator!.AuthenticateAsync(request with { Password = "nope" })).Allowed);
            }
        }
    }

    [Fact]
    public void Configure_BadUsersFileLine_ReportsTheUsersFileLine()
    {
        var users = _scratch.Write("users.txt", "alice wonderland\njust-a-name\n");
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.CustomAuth)}]

            [server.auth]
            use = "users-file"
            users_file = "users.txt"
            """;

        var error = Assert.Single(Compose.Errors(_scratch, toml));

        Assert.EndsWith($"modular.toml:5: server.auth.users_file: {users}:2: expected \"user password [account]\", got 1 field(s)", error, StringComparison.Ordinal);
    }
}
