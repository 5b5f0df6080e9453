using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Operations;

/// <summary>Lame duck mode (protocol.md §9) and the graceful stop, on real processes and signals.</summary>
public sealed class LameDuckTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sigusr2_StopsAccepting_TellsProtocol1Clients_HealthzSays_ClosesAfterGrace_ExitsZero()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec { Size = 2, NamePrefix = "ldm", Backend = NodeBackend.Process, AdjustNode = (_, node) => node with { ExtraServerConfig = "lame_duck_duration = \"3s\"\nlame_duck_grace_period = \"1s\"" } },
            timeout.Token);
        var nodes = cluster.Nodes;
        var (n1, n2) = (nodes[0], nodes[1]);
        await cluster.WaitFormedAsync(timeout: TimeSpan.FromSeconds(30));

        // A NATS.Net client (CONNECT protocol 1) and a raw protocol-0 client, both on n1.
        var told = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new NatsConnection(NatsOpts.Default with { Url = n1.ClientUrl, MaxReconnectRetry = 0, Name = "ldm-test" });
        client.LameDuckModeActivated += (_, _) =>
        {
            told.TrySetResult();
            return ValueTask.CompletedTask;
        };
        await client.ConnectAsync();
        using var raw = new TcpClient();
        await raw.ConnectAsync("127.0.0.1", n1.ClientPort, timeout.Token);
        var rawStream = raw.GetStream();
        await rawStream.WriteAsync("CONNECT {\"verbose\":false,\"protocol\":0}\r\nPING\r\n"u8.ToArray(), timeout.Token);
        var rawText = new StringBuilder();
        var rawReader = ReadAllAsync(rawStream, rawText);
        await Wait.Until(() => Text(rawText).Contains("PONG", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "PONG on the raw client");
        await Wait.Until(async () => (await OpsMonitoring.JsonAsync(n1.MonitorUrl + "/varz")).GetProperty("connections").GetInt32() == 2, TimeSpan.FromSeconds(5), "2 clients on n1");

        var clock = Stopwatch.StartNew();
        n1.Signal(Signals.LameDuck);

        await told.Task.WaitAsync(TimeSpan.FromSeconds(5), timeout.Token);
        var (status, health) = await OpsMonitoring.GetAsync(n1.MonitorUrl + "/healthz");
        Assert.Equal(500, status);
        Assert.Contains("lame duck", health, StringComparison.Ordinal);
        Assert.False(await HostProcess.AnswersInfoAsync(n1.ClientPort, timeout.Token), "n1 still accepts clients in lame duck mode");
        await Wait.Until(() => n2.OutputContains("entered lame duck mode"), TimeSpan.FromSeconds(5), "n2 to hear of n1's lame duck mode on the route");

        // SIGTERM is ignored in lame duck mode; the clients are still served during the grace period.
        n1.Signal(Signals.Terminate);
        await Task.Delay(300, timeout.Token);
        Assert.True(n1.IsRunning, "SIGTERM stopped a server in lame duck mode\n" + n1.Describe());
        await client.PingAsync(timeout.Token);

        Assert.Equal(0, await n1.WaitExitAsync(TimeSpan.FromSeconds(15)));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"n1 exited {clock.Elapsed.TotalMilliseconds:0} ms after SIGUSR2, before the 1s grace period");
        await rawReader.WaitAsync(TimeSpan.FromSeconds(5), timeout.Token);
        Assert.DoesNotContain("\"ldm\"", Text(rawText), StringComparison.Ordinal);
        Assert.True(n1.OutputContains("Entering lame duck mode") && n1.OutputContains("Stopped"), n1.Describe());
        Assert.True(n1.OutputContains("SIGTERM ignored in lame duck mode"), n1.Describe());

        // The cluster goes on without n1.
        await Wait.Until(async () => (await OpsMonitoring.RemoteIdsAsync(n2)).Count == 0, TimeSpan.FromSeconds(5), "n2 to drop its routes to n1");
    }

    /// <summary>
    /// A client the server closes gets everything queued to it, even when it sends something while
    /// being closed (a PING, an UNSUB): the server shuts only its sending side after the flush and
    /// reads until the client closes. Closing the socket instead makes the kernel answer the client's
    /// bytes with a reset and throw away what it still held for the client (megabytes with a slow
    /// reader; nats-server 2.10 loses them too).
    /// </summary>
    [Fact]
    public async Task LameDuckClose_ClientWithABacklogThatKeepsSending_GetsEverythingQueued()
    {
        const int Messages = 3000;
        const int Size = 1000;
        using var timeout = new CancellationTokenSource(Timeout);
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec { Size = 1, NamePrefix = "ldmflush", Backend = NodeBackend.Process, AdjustNode = (_, node) => node with { ExtraServerConfig = "lame_duck_duration = \"3s\"\nlame_duck_grace_period = \"1s\"" } },
            timeout.Token);
        var node = cluster[0];

        // A protocol-0 subscriber (no lame duck INFO in its stream) that reads nothing while 3 MB are queued to it.
        using var raw = new TcpClient { ReceiveBufferSize = 64 * 1024 };
        await raw.ConnectAsync("127.0.0.1", node.ClientPort, timeout.Token);
        var stream = raw.GetStream();
        await stream.WriteAsync("CONNECT {\"verbose\":false,\"protocol\":0}\r\nSUB big 1\r\nPING\r\n"u8.ToArray(), timeout.Token);
        var greeting = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (!greeting.ToString().Contains("PONG\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(n > 0, "closed before PONG: " + greeting);
            greeting.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        await using (var publisher = new NatsConnection(NatsOpts.Default with { Url = node.ClientUrl }))
        {
            await publisher.ConnectAsync();
            var payload = new byte[Size];
            for (var i = 0; i < Messages; i++)
            {
                await publisher.PublishAsync("big", payload, cancellationToken: timeout.Token);
            }

            await publisher.PingAsync(timeout.Token); // the server has queued every message to the subscriber
        }

        node.Signal(Signals.LameDuck);
        await Wait.Until(() => node.OutputContains("Lame duck mode: closing 1 clients"), TimeSpan.FromSeconds(10), "the lame duck close of the subscriber\n" + node.Describe());
        await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token); // arrives while (or after) the server closes us

        var received = new MemoryStream();
        string end;
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, n);
            }

            end = "EOF";
        }
        catch (IOException e)
        {
            end = e.Message;
        }

        var text = Encoding.ASCII.GetString(received.ToArray());
        var delivered = CountOf(text, $"MSG big 1 {Size}\r\n");
        Assert.True(delivered == Messages && end == "EOF", $"the subscriber got {delivered} of {Messages} messages, then {end}\n{node.Describe()}");
        Assert.Equal(0, await node.WaitExitAsync(TimeSpan.FromSeconds(15)));
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task LdmCommand_ByMonitorUrl_ServerWithoutClients_ExitsAtOnce()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec { Size = 1, NamePrefix = "ldmcmd", Backend = NodeBackend.Process, AdjustNode = (_, node) => node with { ExtraServerConfig = "lame_duck_duration = \"30s\"\nlame_duck_grace_period = \"10s\"" } },
            timeout.Token);
        var node = cluster[0];

        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "ldm", "--monitor", node.MonitorUrl);
        Assert.True(result.ExitCode == 0, result + node.Describe());
        Assert.Contains($"sent SIGUSR2 (lame duck mode) to ldmcmd1 (pid {node.ProcessId}", result.StdOut, StringComparison.Ordinal);
        // No clients: nothing to wait for, the server stops now rather than after the duration.
        Assert.Equal(0, await node.WaitExitAsync(TimeSpan.FromSeconds(8)));
        Assert.True(node.OutputContains("no clients, shutting down"), node.Describe());
    }

    [Fact]
    public async Task LdmCommand_Usage()
    {
        var none = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "ldm");
        Assert.True(none.ExitCode == 2, none.ToString());
        Assert.Contains("--pid PID or --monitor URL", none.StdErr, StringComparison.Ordinal);

        var gone = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "ldm", "--pid", "999999999");
        Assert.True(gone.ExitCode == 1, gone.ToString());
        Assert.Contains("cannot signal pid 999999999", gone.StdErr, StringComparison.Ordinal);

        var remote = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "ldm", "--monitor", "http://192.0.2.1:8222");
        Assert.True(remote.ExitCode == 2, remote.ToString());
        Assert.Contains("not on this machine", remote.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_ClosesRoutesAndClients_FlushesLogFile_ExitsZero()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var logs = Directory.CreateTempSubdirectory("modular-term-logs-").FullName;
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec { Size = 2, NamePrefix = "term", Backend = NodeBackend.Process, AdjustNode = (_, node) => node with { ExtraLogConfig = $"file = \"{Path.Combine(logs, node.Name + ".log")}\"" } },
            timeout.Token);
        var nodes = cluster.Nodes;
        var (n1, n2) = (nodes[0], nodes[1]);
        await cluster.WaitFormedAsync(timeout: TimeSpan.FromSeconds(30));
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new NatsConnection(NatsOpts.Default with { Url = n1.ClientUrl, MaxReconnectRetry = 0 });
        client.ConnectionDisconnected += (_, _) =>
        {
            disconnected.TrySetResult();
            return ValueTask.CompletedTask;
        };
        await client.ConnectAsync();

        n1.Signal(Signals.Terminate);
        Assert.Equal(0, await n1.WaitExitAsync(TimeSpan.FromSeconds(10)));
        await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(5), timeout.Token);
        await Wait.Until(async () => (await OpsMonitoring.RemoteIdsAsync(n2)).Count == 0, TimeSpan.FromSeconds(5), "n2 to see its routes to n1 closed");
        var log = await File.ReadAllLinesAsync(Path.Combine(logs, n1.Name + ".log"), timeout.Token);
        Directory.Delete(logs, recursive: true);
        Assert.True(log.Length > 0 && log[^1].Contains("Stopped", StringComparison.Ordinal), "the log file does not end with the last line written (\"Stopped\"):\n" + string.Join("\n", log.TakeLast(10)));
    }

    private static string Text(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }

    private static async Task ReadAllAsync(NetworkStream stream, StringBuilder text)
    {
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                lock (text)
                {
                    text.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
            }
        }
        catch (IOException)
        {
        }
    }
}
