using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Modular.Testing;
using NATS.Client.Core;
using Xunit.Abstractions;

namespace Modular.Cluster.Tests.Messaging;

/// <summary>
/// Flow control across a route. A route's read loop is a producer too: it waits for a local
/// subscriber that is far behind, so a healthy subscriber slower than a publisher on another node
/// slows that publisher (through the route's own backpressure) instead of being cut; and because a
/// route carries every account, it waits only briefly, so a reader that never reads in one account
/// does not hold up another account's traffic on the same connection for long. Each case runs on a
/// Modular pair and on a nats-server 2.10 pair, in the same run, and prints what it measured
/// (nats-server does not stall route readers: it cuts the slow subscriber of the first case, so
/// there the figures are only printed).
/// </summary>
public sealed class ClusterFlowControlTests(ITestOutputHelper output)
{
    private const long MaxPending = 2 * 1024 * 1024;

    public static TheoryData<string> Servers => new() { "modular", "nats-server-2.10" };

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task HalfRateSubscriberOnAnotherNode_FasterPublisher_GetsEveryMessageAndIsNeverCut(string server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = timeout.Token;
        var (seed, other) = await StartPairAsync(server, poolSize: 1, ct);
        await using var _ = seed;
        await using var __ = other;
        const int count = 8_000;
        const int subscriberRate = 2_000;
        var payload = new byte[8 * 1024]; // 64 MiB in all: far more than the kernel buffers plus max_pending

        await using var subscriber = await ConnectAsync(other, "b", ct, o => o with
        {
            SubPendingChannelCapacity = 64,
            SubPendingChannelFullMode = BoundedChannelFullMode.Wait,
        });
        await using var subscription = await subscriber.SubscribeCoreAsync<byte[]>("halfrate", cancellationToken: ct);
        await using var publisher = await ConnectAsync(seed, "b", ct, o => o with { CommandTimeout = TimeSpan.FromSeconds(60) });
        await AwaitInterestAsync(publisher, subscription, "halfrate", ct);

        var received = 0;
        var inOrder = true;
        var receiving = Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            await foreach (var message in subscription.Msgs.ReadAllAsync(ct))
            {
                if (message.Data is not { Length: > 4 } data)
                {
                    continue; // an interest probe
                }

                inOrder &= BitConverter.ToInt32(data) == received;
                received++;
                var due = TimeSpan.FromSeconds((double)received / subscriberRate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, ct);
                }

                if (received == count)
                {
                    return;
                }
            }
        }, ct);

        var slowBefore = await SlowConsumersAsync(other, ct);
        var publishClock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(payload, i);
            await publisher.PublishAsync("halfrate", payload, cancellationToken: ct);
        }

        await publisher.PingAsync(ct);
        var publishSeconds = publishClock.Elapsed.TotalSeconds;
        try
        {
            // A cut shows as a slow consumer on its node (the client reconnects at once, so its
            // state alone may not say so); nats-server is known to cut it, so that case ends there.
            await Wait.Until(async () => receiving.IsCompleted || subscriber.ConnectionState != NatsConnectionState.Open
                    || await SlowConsumersAsync(other, ct) > slowBefore,
                TimeSpan.FromSeconds(60), "the subscriber to take every message or be cut");
        }
        catch (TimeoutException)
        {
            // Reported by the assertions below.
        }

        var slowAfter = await SlowConsumersAsync(other, ct);
        output.WriteLine($"{seed.Program.Label}: a {subscriberRate} msg/s subscriber on the other node got {received} of {count} x 8 KiB; " +
            $"the publisher took {publishSeconds:0.00} s; slow consumers on the subscriber's node +{slowAfter - slowBefore}");
        if (server != "modular")
        {
            // For comparison only: nats-server does not stall a route's read loop, so it cuts this subscriber.
            return;
        }

        Assert.Equal(count, received);
        Assert.True(inOrder, "the subscriber got the messages out of order");
        Assert.Equal(slowBefore, slowAfter);
        Assert.Equal(NatsConnectionState.Open, subscriber.ConnectionState);
        Assert.True(publishSeconds >= 0.5 * count / subscriberRate,
            $"the publisher finished in {publishSeconds:0.00} s: it was not slowed to the subscriber's pace");
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task ReaderThatNeverReadsInOneAccount_OtherAccountOnTheSameRoute_KeepsFlowing(string server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = timeout.Token;
        var (seed, other) = await StartPairAsync(server, poolSize: 1, ct);
        await using var _ = seed;
        await using var __ = other;

        // Account A: a reader on the other node that never reads, and a publisher flooding it.
        await using var reader = await RawConnection.OpenClientAsync(other, ct, receiveBufferSize: 4096);
        await reader.SendAsync("CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"pa\"}\r\nSUB flood 1\r\nPING\r\n", ct);
        await reader.ExpectLineAsync("^PONG$", cancellationToken: ct);
        await using var floodPublisher = await ConnectAsync(seed, "a", ct, o => o with { CommandTimeout = TimeSpan.FromSeconds(100) });
        await using var probe = await ConnectAsync(other, "a", ct);
        await using var probeSub = await probe.SubscribeCoreAsync<byte[]>("flood", cancellationToken: ct);
        await AwaitInterestAsync(floodPublisher, probeSub, "flood", ct);
        await probeSub.UnsubscribeAsync();

        // Account B: a ticker across the same route connection (pool_size 1), timed end to end.
        await using var tickSubscriber = await ConnectAsync(other, "b", ct);
        await using var ticks = await tickSubscriber.SubscribeCoreAsync<long>("tick", cancellationToken: ct);
        await using var tickPublisher = await ConnectAsync(seed, "b", ct);
        await AwaitInterestAsync(tickPublisher, ticks, "tick", ct);

        var slowBefore = await SlowConsumersAsync(other, ct);
        using var stopFlood = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var flood = Task.Run(async () =>
        {
            var payload = new byte[64 * 1024];
            for (var i = 0; i < 2_000 && !stopFlood.IsCancellationRequested; i++)
            {
                await floodPublisher.PublishAsync("flood", payload, cancellationToken: stopFlood.Token);
            }
        }, ct);

        const int tickCount = 40;
        var latencies = new ConcurrentBag<TimeSpan>();
        var clock = Stopwatch.StartNew();
        var receiving = Task.Run(async () =>
        {
            await foreach (var message in ticks.Msgs.ReadAllAsync(ct))
            {
                latencies.Add(clock.Elapsed - TimeSpan.FromTicks(message.Data));
                if (latencies.Count == tickCount)
                {
                    return;
                }
            }
        }, ct);
        for (var i = 0; i < tickCount; i++)
        {
            await tickPublisher.PublishAsync("tick", clock.Elapsed.Ticks, cancellationToken: ct);
            await Task.Delay(100, ct);
        }

        await Wait.Until(() => receiving.IsCompleted, TimeSpan.FromSeconds(60), $"account B's {tickCount} ticks (got {latencies.Count})");
        await Wait.Until(async () => await SlowConsumersAsync(other, ct) > slowBefore, TimeSpan.FromSeconds(60),
            "the never-reading reader to be cut as a slow consumer");
        var cutAfter = clock.Elapsed;
        await stopFlood.CancelAsync();
        try
        {
            await flood;
        }
        catch (OperationCanceledException)
        {
            // Stopped by us.
        }

        var sorted = latencies.Order().ToList();
        var median = sorted[sorted.Count / 2];
        var worst = sorted[^1];
        output.WriteLine($"{seed.Program.Label}: account B's ticks across the shared route while account A floods a reader that never reads: " +
            $"median {median.TotalMilliseconds:0} ms, worst {worst.TotalMilliseconds:0} ms; the reader was cut after {cutAfter.TotalSeconds:0.0} s");

        Assert.True(worst < TimeSpan.FromSeconds(2), $"account B waited {worst.TotalSeconds:0.0} s behind account A's stalled reader");
    }

    private async Task<(Node Seed, Node Other)> StartPairAsync(string server, int poolSize, CancellationToken ct)
    {
        var program = server == "modular" ? NodeProgram.Modular : NodeProgram.NatsServer210;
        var backend = server == "modular" ? NodeBackend.InProcess : NodeBackend.Process;
        var seed = await Node.StartAsync("flow-1", _ => Config(server, "flow-1", poolSize, route: null), backend, program, cancellationToken: ct);
        try
        {
            var other = await Node.StartAsync("flow-2", _ => Config(server, "flow-2", poolSize, seed.RouteUrl), backend, program, cancellationToken: ct);
            await Wait.Until(async () => await RoutesAsync(seed, ct) >= 1 && await RoutesAsync(other, ct) >= 1, TimeSpan.FromSeconds(30),
                $"the route between the two nodes\n{seed.Describe()}\n{other.Describe()}");
            return (seed, other);
        }
        catch
        {
            await seed.DisposeAsync();
            throw;
        }
    }

    private static string Config(string server, string name, int poolSize, string? route) => server == "modular"
        ? $$"""
            [server]
            name = "{{name}}"
            listen = "127.0.0.1:0"
            max_payload = 65536
            max_pending = {{MaxPending}}
            write_deadline = "60s"

            [monitor]
            listen = "127.0.0.1:0"

            [accounts.A]
            users = [ { user = "a", password = "pa" } ]

            [accounts.B]
            users = [ { user = "b", password = "pb" } ]

            [cluster]
            name = "flow"
            listen = "127.0.0.1:0"
            pool_size = {{poolSize}}
            routes = [{{(route is null ? "" : $"\"{route}\"")}}]
            """
        : $$"""
            server_name: "{{name}}"
            listen: "127.0.0.1:-1"
            http: "127.0.0.1:-1"
            max_payload: 65536
            max_pending: {{MaxPending}}
            write_deadline: "60s"
            no_sys_acc: true
            accounts {
              A: { users: [ { user: "a", password: "pa" } ] }
              B: { users: [ { user: "b", password: "pb" } ] }
            }
            cluster {
              name: "flow"
              listen: "127.0.0.1:-1"
              pool_size: {{poolSize}}
              routes: [{{(route is null ? "" : $"\"{route}\"")}}]
            }
            """;

    private static async Task<NatsConnection> ConnectAsync(Node node, string user, CancellationToken ct, Func<NatsOpts, NatsOpts>? adjust = null)
    {
        var options = NatsOpts.Default with
        {
            Url = node.ClientUrl,
            AuthOpts = NatsAuthOpts.Default with { Username = user, Password = "p" + user },
            ConnectTimeout = TimeSpan.FromSeconds(5),
            CommandTimeout = TimeSpan.FromSeconds(10),
            MaxReconnectRetry = 0,
            RetryOnInitialConnect = false,
        };
        var connection = new NatsConnection(adjust is null ? options : adjust(options));
        await connection.ConnectAsync().AsTask().WaitAsync(ct);
        return connection;
    }

    /// <summary>Publishes short probes until the subscription on the other node gets one.</summary>
    private static async Task AwaitInterestAsync<T>(NatsConnection publisher, INatsSub<T> subscription, string subject, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await publisher.PublishAsync(subject, new byte[] { 1 }, cancellationToken: ct);
            await publisher.PingAsync(ct);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                if (await subscription.Msgs.WaitToReadAsync(wait.Token))
                {
                    while (subscription.Msgs.TryRead(out _))
                    {
                    }

                    return;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(20))
                {
                    throw new TimeoutException($"interest in {subject} never reached the publisher's node");
                }
            }
        }
    }

    private static async Task<long> SlowConsumersAsync(Node node, CancellationToken ct) => (await VarzAsync(node, ct)).GetProperty("slow_consumers").GetInt64();

    private static async Task<long> RoutesAsync(Node node, CancellationToken ct) => (await VarzAsync(node, ct)).GetProperty("routes").GetInt64();

    private static async Task<JsonElement> VarzAsync(Node node, CancellationToken ct)
    {
        using var varz = await MonitorEndpoints.GetJsonAsync(node, "/varz", ct);
        return varz.RootElement.Clone();
    }
}
