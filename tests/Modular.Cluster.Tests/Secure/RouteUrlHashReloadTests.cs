namespace Modular.Cluster.Tests.Secure;

/// <summary>
/// A reload (SIGHUP) that adds a route URL carrying a bcrypt hash where the plain password belongs
/// is refused by the running bcrypt plugin, as the same route list is refused at start-up: one line
/// naming file:line: cluster.routes, and the server keeps the routes it has.
/// </summary>
public sealed class RouteUrlHashReloadTests
{
    private const string RouteHash = "$2a$04$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234";

    [Fact]
    public async Task Reload_AddedRouteUrlCarriesABcryptHash_RefusedAtTheRouteLine()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var plain = "\"nats-route://ruser:plain@127.0.0.1:9\"";
        await using var node = await Node.StartAsync("hash-reload", Config(plain), NodeBackend.Process, cancellationToken: ct);

        var hashed = Config(plain + ",\n  \"nats-route://ruser:" + RouteHash + "@127.0.0.1:10\"");
        await node.ReloadAsync(hashed, ct);

        await Wait.Until(() => node.OutputContains("Reload refused"), TimeSpan.FromSeconds(15), "the refusal\n" + node.Describe());
        var line = hashed.Split('\n').ToList().FindIndex(l => l.Contains(RouteHash, StringComparison.Ordinal)) + 1;
        Assert.True(
            node.OutputContains($"{node.ConfigPath}:{line}: cluster.routes: the password in this route URL is a bcrypt hash"),
            node.Describe());
        Assert.True(node.OutputContains("still running on the previous configuration"), node.Describe());
        Assert.True(node.IsRunning, node.Describe());
    }

    private static string Config(string routes) => $"""
        plugins = ["bcrypt"]

        [server]
        name = "hash-reload"
        listen = "127.0.0.1:0"

        [cluster]
        name = "hashes"
        listen = "127.0.0.1:0"
        routes = [
          {routes},
        ]

        [cluster.auth]
        use = "bcrypt"
        user = "ruser"
        password = "{RouteHash}"
        """;
}
