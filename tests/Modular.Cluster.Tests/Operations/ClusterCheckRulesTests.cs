using System.Net;
using System.Text;

namespace Modular.Cluster.Tests.Operations;

/// <summary>
/// <c>modular cluster check</c> against canned monitoring answers (a small HTTP server per fake
/// server), for what is hard to break on purpose in a real cluster: interest that did not
/// propagate, slow consumers, a server that is not healthy, mixed versions, servers whose
/// monitoring URL is unknown or leads elsewhere.
/// </summary>
public sealed class ClusterCheckRulesTests
{
    [Fact]
    public async Task MissingInterest_SlowConsumers_Unhealthy_AreReported_VersionsAreANote()
    {
        // x has a client subscribed to orders.* and to $SYS stuff; y's route view of x lacks orders.*.
        using var x = new FakeMonitor("x", "IDX", "2.10.0", slowClients: 0, healthy: true,
            routes: [("IDY", "y", ["billing.>"])], localSubs: [("$G", "orders.*"), ("$SYS", "$SYS.REQ.>")], internalSubs: [("$G", "$SYS.REQ.USER.INFO")]);
        using var y = new FakeMonitor("y", "IDY", "2.11.0", slowClients: 2, healthy: false,
            routes: [("IDX", "x", ["other"])], localSubs: [("$G", "billing.>")]);

        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "cluster", "check", "--once", "--monitor", x.Url, y.Url);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"problem: y ({y.Url}): missing interest of x in 1 subject(s): orders.*", result.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("$SYS.REQ", result.StdOut, StringComparison.Ordinal); // the $SYS account's and internal subscriptions
        Assert.DoesNotContain("missing interest of y", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"problem: y ({y.Url}): 2 slow consumer(s) (clients 2, routes 0)", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"problem: y ({y.Url}): /healthz answers 500: server is in lame duck mode", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("note: versions differ: 2.10.0 on x, 2.11.0 on y", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("cluster c1: 2 of 2 servers read, 3 problem(s)", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneUnreadPeer_VerifiedFromEveryOtherServer_IsAWarning()
    {
        // x and y are read (y through x's monitor_url); z (a nats-server, say) gives no monitoring URL,
        // but both x and y route to it, so all of z's routes are seen from the other side.
        using var y = new FakeMonitor("y", "IDY", "2.10.0", slowClients: 0, healthy: true,
            routes: [("IDX", "x", []), ("IDZ", "z", [])], localSubs: []);
        using var x = new FakeMonitor("x", "IDX", "2.10.0", slowClients: 0, healthy: true,
            routes: [("IDY", "y", []), ("IDZ", "z", [])], localSubs: [], monitorUrls: new() { ["IDY"] = y.Url });

        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "cluster", "check", "--monitor", x.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"server y (IDY) at {y.Url}: 2 peer(s), 2 route connection(s), found via x", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("warning: server z (IDZ) has no known monitoring URL; pass it with --monitor", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("cluster c1: 3 servers (1 not read), full mesh (4 peer links seen), 0 local subscriptions on the servers read all propagated: OK, 1 warning(s)", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoUnreadPeers_RouteBetweenThemUnverifiable_AndAUrlAnsweringAsAnotherServer_AreProblems()
    {
        // x's route to y advertises a URL where w answers (a loopback URL seen from the wrong host),
        // and z gives none: nobody can tell whether y and z route to each other.
        using var w = new FakeMonitor("w", "IDW", "2.10.0", slowClients: 0, healthy: true, routes: [], localSubs: []);
        using var x = new FakeMonitor("x", "IDX", "2.10.0", slowClients: 0, healthy: true,
            routes: [("IDY", "y", []), ("IDZ", "z", [])], localSubs: [], monitorUrls: new() { ["IDY"] = w.Url });

        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "cluster", "check", "--once", "--monitor", x.Url);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"warning: server y (IDY) advertises {w.Url}, which answers as another server, w (IDW); pass a URL that reaches it with --monitor", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("warning: server z (IDZ) has no known monitoring URL; pass it with --monitor", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("problem: routes among y, z cannot be verified: none of them was read", result.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("server w", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("cluster c1: 1 of 3 servers read, 1 problem(s)", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadUsage_IsOneLineAndExitTwo()
    {
        var badUrl = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "cluster", "check", "--monitor", "ftp://x:1");
        Assert.True(badUrl.ExitCode == 2, badUrl.ToString());
        Assert.Equal("modular: cluster check: \"ftp://x:1\" is not a monitoring URL (expected http://HOST:PORT)", badUrl.StdErr.Trim());

        var badTimeout = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "cluster", "check", "--monitor", "http://127.0.0.1:1", "--timeout", "soon");
        Assert.True(badTimeout.ExitCode == 2, badTimeout.ToString());
        Assert.Single(badTimeout.StdErr.Trim().Split('\n'));
    }

    /// <summary>Answers /varz, /routez, /subsz and /healthz of one made-up server.</summary>
    private sealed class FakeMonitor : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Dictionary<string, (int Status, string Body)> _answers;
        private readonly Task _serving;

        /// <param name="monitorUrls">Remote id → the <c>monitor_url</c> its routes show (as a Modular server's /routez).</param>
        /// <param name="internalSubs">Subscriptions of no client connection (as nats-server's service imports): not routed.</param>
        public FakeMonitor(string name, string id, string version, int slowClients, bool healthy, (string Id, string Name, string[] Subs)[] routes, (string Account, string Subject)[] localSubs, Dictionary<string, string>? monitorUrls = null, (string Account, string Subject)[]? internalSubs = null)
        {
            Url = $"http://127.0.0.1:{FreePort.Next()}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            var routesJson = string.Join(",", routes.Select((r, i) =>
                $"{{\"rid\":{i + 1},\"remote_id\":\"{r.Id}\",\"remote_name\":\"{r.Name}\",\"subscriptions_list\":[{string.Join(",", r.Subs.Select(s => $"\"{s}\""))}],\"slow_consumers\":0"
                + (monitorUrls?.TryGetValue(r.Id, out var url) == true ? $",\"monitor_url\":\"{url}\"" : "") + "}"));
            var subsJson = string.Join(",", localSubs.Select(s => (s.Account, s.Subject, Cid: 1)).Concat((internalSubs ?? []).Select(s => (s.Account, s.Subject, Cid: 99)))
                .Select(s => $"{{\"account\":\"{s.Account}\",\"subject\":\"{s.Subject}\",\"sid\":\"1\",\"msgs\":0,\"cid\":{s.Cid}}}"));
            _answers = new Dictionary<string, (int, string)>(StringComparer.Ordinal)
            {
                ["/varz"] = (200, $"{{\"server_id\":\"{id}\",\"server_name\":\"{name}\",\"version\":\"{version}\",\"cluster\":{{\"name\":\"c1\"}},\"slow_consumers\":{slowClients},\"slow_consumer_stats\":{{\"clients\":{slowClients},\"routes\":0,\"gateways\":0,\"leafs\":0}}}}"),
                ["/routez"] = (200, $"{{\"server_id\":\"{id}\",\"num_routes\":{routes.Length},\"routes\":[{routesJson}]}}"),
                ["/subsz"] = (200, $"{{\"server_id\":\"{id}\",\"subscriptions_list\":[{subsJson}]}}"),
                ["/connz"] = (200, $"{{\"server_id\":\"{id}\",\"connections\":[{{\"cid\":1}}]}}"),
                ["/healthz"] = healthy ? (200, "{\"status\":\"ok\"}") : (500, "{\"status\":\"error\",\"error\":\"server is in lame duck mode: not accepting new client connections\"}"),
            };
            _serving = Task.Run(ServeAsync);
        }

        public string Url { get; }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                var (status, body) = _answers.TryGetValue(context.Request.Url!.AbsolutePath, out var answer) ? answer : (404, "not found");
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(2));
        }
    }
}
