using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Operations;

/// <summary>Config reload (SIGHUP, <c>modular reload</c>): log level and accounts apply; anything else is refused.</summary>
public sealed class ReloadTests
{
    [Fact]
    public async Task Reload_AppliesLogLevelAndUsers_RefusesAPortChange_KeepsRunning()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var spec = new ClusterSpec
        {
            Size = 1,
            NamePrefix = "rl",
            Accounts = new Dictionary<string, (string User, string Password)[]> { ["A"] = [("a", "pa")] },
            Backend = NodeBackend.Process, // reloads by SIGHUP
        };
        await using var cluster = await TestCluster.StartAsync(spec, timeout.Token);
        var node = cluster[0];

        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var alice = await ConnectAsync(node, "a", "pa");
        alice.ConnectionDisconnected += (_, _) =>
        {
            disconnected.TrySetResult();
            return ValueTask.CompletedTask;
        };
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAndCloseAsync(node, "b", "pb"));

        // Account A with user a becomes account B with user b; the log level goes to debug.
        var withB = node.ConfigText
            .Replace("[accounts.A]\nusers = [ { user = \"a\", password = \"pa\" } ]", "[accounts.B]\nusers = [ { user = \"b\", password = \"pb\" } ]", StringComparison.Ordinal)
            .Replace("level = \"info\"", "level = \"debug\"", StringComparison.Ordinal);
        Assert.NotEqual(node.ConfigText, withB);
        await File.WriteAllTextAsync(node.ConfigPath, withB, timeout.Token);

        var reload = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "reload", "--monitor", node.MonitorUrl);
        Assert.True(reload.ExitCode == 0, reload + node.Describe());
        Assert.Contains("rl1 reloaded its configuration", reload.StdOut, StringComparison.Ordinal);
        await Wait.Until(() => node.OutputContains("log.level info -> debug; accounts (1 account(s), 1 user(s), 1 client(s) closed)"), TimeSpan.FromSeconds(5), "the reload line\n" + node.Describe());
        await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(5), timeout.Token);
        await using (var bob = await ConnectAsync(node, "b", "pb"))
        {
            await bob.PingAsync(timeout.Token);
        }

        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAndCloseAsync(node, "a", "pa"));
        using (var accountz = await MonitorEndpoints.GetJsonAsync(node, "/accountz", timeout.Token))
        {
            var listed = accountz.RootElement.GetProperty("accounts").EnumerateArray().Select(a => a.GetString()).ToList();
            Assert.Contains("B", listed); // the account the reload added exists, as one configured at start-up
        }

        Assert.True(node.OutputLines.Any(l => l.Contains(" DBG]", StringComparison.Ordinal)), "no debug line after the level went to debug\n" + node.Describe());

        // A new client port cannot be applied while running: refused, and the server goes on as it was.
        var newPort = FreePort.Next();
        await File.WriteAllTextAsync(node.ConfigPath, withB.Replace($"127.0.0.1:{node.ClientPort}", $"127.0.0.1:{newPort}", StringComparison.Ordinal), timeout.Token);
        var refused = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "reload", "--pid", node.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(refused.ExitCode == 0, refused.ToString());
        await Wait.Until(() => node.OutputContains("Reload refused: server.port cannot change without a restart"), TimeSpan.FromSeconds(5), "the refusal line\n" + node.Describe());
        Assert.True(node.OutputContains("still running on the previous configuration"), node.Describe());
        Assert.True(await HostProcess.AnswersInfoAsync(node.ClientPort, timeout.Token), "the server stopped serving its port after a refused reload");
        Assert.True(node.IsRunning);
    }

    private static async Task ConnectAndCloseAsync(Node node, string user, string password)
    {
        var connection = await ConnectAsync(node, user, password);
        await connection.DisposeAsync();
    }

    private static async Task<NatsConnection> ConnectAsync(Node node, string user, string password)
    {
        var connection = new NatsConnection(NatsOpts.Default with
        {
            Url = node.ClientUrl,
            AuthOpts = NatsAuthOpts.Default with { Username = user, Password = password },
            MaxReconnectRetry = 0,
            ConnectTimeout = TimeSpan.FromSeconds(3),
        });
        try
        {
            await connection.ConnectAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
