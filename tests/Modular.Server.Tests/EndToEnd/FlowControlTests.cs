using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using NATS.Client.Core;
using Modular.Server.Tests.Harness;
using Xunit.Abstractions;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>
/// Flow control as nats-server does it: a publisher feeding a subscriber that is far behind (past
/// half its max_pending) waits a bounded time for it to drain, so a healthy subscriber slower than
/// its publisher slows the publisher down and is never cut; a reader that never reads is still cut
/// at max_pending, its queue never above the limit. Each case runs against Modular and against
/// nats-server 2.9 in the same run, and prints the figures it measured for both.
/// </summary>
public sealed class FlowControlTests(ITestOutputHelper output)
{
    private const long MaxPending = 2 * 1024 * 1024;

    public static TheoryData<string> Servers => new() { "modular", "nats-server-2.9" };

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task HalfRateSubscriber_FasterPublisher_GetsEveryMessageIsNeverCutAndThePublisherIsSlowed(string server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        await using var node = await StartAsync(server, writeDeadline: "30s", ct);
        const int payloadSize = 8 * 1024;
        const int count = 6_000; // 48 MiB: far more than the kernel buffers plus max_pending (2 MiB)
        var payload = new byte[payloadSize];

        // How fast this publisher goes when nobody holds it back: a subscriber at full speed. The
        // subscriber then takes at most half that (2,000 msg/s, 16 MiB/s, on a quiet machine), so a
        // loaded machine still tests a subscriber slower than its publisher.
        var freeRate = await PublishAsync(node, "free", payload, count / 4, subscriberRate: null, ct);
        var subscriberRate = (int)Math.Min(2_000, freeRate.PublishRate / 2);
        Assert.True(subscriberRate >= 300,
            $"the publisher alone manages {freeRate.PublishRate:0} msg/s: too slow to test a subscriber at half its rate");

        var slowBefore = await VarzAsync(node, "slow_consumers", ct);
        var stalledBefore = await VarzAsync(node, "stalled_clients", ct);
        var run = await PublishAsync(node, "halfrate", payload, count, subscriberRate, ct);

        var slowAfter = await VarzAsync(node, "slow_consumers", ct);
        var stalledAfter = await VarzAsync(node, "stalled_clients", ct);
        output.WriteLine(
            $"{node.Program.Label}: publisher alone {freeRate.PublishRate:0} msg/s; with a {subscriberRate} msg/s subscriber: " +
            $"published {count} x {payloadSize} B in {run.PublishSeconds:0.00} s ({run.PublishRate:0} msg/s), subscriber got {run.Received} " +
            $"in {run.ReceiveSeconds:0.00} s, slow_consumers +{slowAfter - slowBefore}, stalled_clients +{(stalledAfter ?? 0) - (stalledBefore ?? 0)}" +
            (stalledAfter is null ? " (not in this server's /varz)" : ""));

        Assert.Equal(count, run.Received);
        Assert.True(run.InOrder, "the subscriber got the messages out of order");
        Assert.Equal(slowBefore, slowAfter);
        Assert.True(run.SubscriberStillConnected, "the subscriber's connection was closed");

        // Slowed: the publisher finished no sooner than the subscriber could take most of the stream.
        // (The kernel's socket buffers and max_pending hold the rest.)
        var floor = 0.5 * count / subscriberRate;
        Assert.True(run.PublishSeconds >= floor,
            $"the publisher finished in {run.PublishSeconds:0.00} s, under {floor:0.00} s: it was not slowed to the subscriber's pace");
        if (stalledAfter is not null)
        {
            Assert.True(stalledAfter > stalledBefore, $"/varz stalled_clients stayed at {stalledBefore}");
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task ReaderThatNeverReads_FastPublisher_IsCutAtMaxPendingWithItsQueueBounded(string server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;

        // A long write deadline, so it is max_pending that cuts the reader.
        await using var node = await StartAsync(server, writeDeadline: "60s", ct);
        const string subject = "never.read";
        var payload = new byte[64 * 1024];
        var slowBefore = await VarzAsync(node, "slow_consumers", ct);

        await using var reader = await RawConnection.OpenClientAsync(node, ct, receiveBufferSize: 4096);
        await reader.SendAsync($"CONNECT {{\"verbose\":false,\"pedantic\":false}}\r\nSUB {subject} 1\r\nPING\r\n", ct);
        await reader.ExpectLineAsync("^PONG$", cancellationToken: ct);

        // The server may hold this publisher back for a long while: that is not a client timeout.
        await using var publisher = await Clients.ConnectAsync(node, ct, adjust: o => o with { CommandTimeout = TimeSpan.FromSeconds(100) });
        var clock = Stopwatch.StartNew();
        var published = 0;
        long largestPending = 0;
        var cut = false;
        for (var batch = 0; batch < 40 && !cut && clock.Elapsed < TimeSpan.FromSeconds(90); batch++)
        {
            // Publish from another task: the server may hold this publisher back for a while.
            var publishing = Task.Run(async () =>
            {
                for (var i = 0; i < 16; i++)
                {
                    await publisher.PublishAsync(subject, payload, cancellationToken: ct);
                }
            }, ct);
            while (!publishing.IsCompleted)
            {
                largestPending = Math.Max(largestPending, await ReaderPendingAsync(node, ct));
                await Task.WhenAny(publishing, Task.Delay(50, ct));
            }

            await publishing;
            published += 16;
            cut = await VarzAsync(node, "slow_consumers", ct) > slowBefore;
        }

        await Wait.Until(async () => await VarzAsync(node, "slow_consumers", ct) > slowBefore, TimeSpan.FromSeconds(30),
            $"/varz slow_consumers to rise above {slowBefore} after {published} messages of {payload.Length} B\n{node.Describe()}");
        var cutAfter = clock.Elapsed;
        var closed = await ClosedReaderAsync(node, ct);
        output.WriteLine(
            $"{node.Program.Label}: the never-reading reader was cut after {cutAfter.TotalSeconds:0.0} s and {published} messages of 64 KiB; " +
            $"largest pending seen {largestPending} B (max_pending {MaxPending}); closed reason \"{closed?.Reason}\"");

        Assert.True(largestPending <= MaxPending, $"the reader's queue reached {largestPending} B, above max_pending {MaxPending}");
        if (closed is not null)
        {
            Assert.Equal("Slow Consumer (Pending Bytes)", closed.Value.Reason);
        }

        // The publisher is fine and the server still serves.
        await publisher.PingAsync(ct);
    }

    private async Task<Node> StartAsync(string server, string writeDeadline, CancellationToken ct)
    {
        var name = "flow-" + server;
        if (server == "modular")
        {
            return await Node.StartAsync(name, _ => $"""
                [server]
                name = "{name}"
                listen = "127.0.0.1:0"
                max_payload = 65536
                max_pending = {MaxPending}
                write_deadline = "{writeDeadline}"

                [monitor]
                listen = "127.0.0.1:0"
                """, cancellationToken: ct);
        }

        return await Node.StartAsync(name, _ => $"""
            listen: "127.0.0.1:-1"
            http: "127.0.0.1:-1"
            server_name: "{name}"
            max_payload: 65536
            max_pending: {MaxPending}
            write_deadline: "{writeDeadline}"
            """, NodeBackend.Process, NodeProgram.NatsServer29, cancellationToken: ct);
    }

    private sealed record RunFigures(double PublishSeconds, double ReceiveSeconds, int Received, bool InOrder, bool SubscriberStillConnected, int Count)
    {
        public double PublishRate => Count / PublishSeconds;
    }

    /// <summary>
    /// Publishes <paramref name="count"/> numbered messages to a NATS.Net subscriber that handles at
    /// most <paramref name="subscriberRate"/> a second (null: as fast as it can), its client holding
    /// back reading from the socket while its handler is behind. Returns when the subscriber has all
    /// of them, or its connection ended, or a minute passed.
    /// </summary>
    private static async Task<RunFigures> PublishAsync(Node node, string subject, byte[] payload, int count, int? subscriberRate, CancellationToken ct)
    {
        await using var subscriberConnection = await Clients.ConnectAsync(node, ct, adjust: o => o with
        {
            SubPendingChannelCapacity = 64,
            SubPendingChannelFullMode = BoundedChannelFullMode.Wait,
        });
        await using var subscription = await subscriberConnection.SubscribeCoreAsync<byte[]>(subject, cancellationToken: ct);
        await subscriberConnection.PingAsync(ct);

        var received = 0;
        var inOrder = true;
        var receiveClock = new Stopwatch();
        var receiving = Task.Run(async () =>
        {
            await foreach (var message in subscription.Msgs.ReadAllAsync(ct))
            {
                receiveClock.Start();
                if (BitConverter.ToInt32(message.Data!) != received)
                {
                    inOrder = false;
                }

                received++;
                if (subscriberRate is { } rate)
                {
                    var due = TimeSpan.FromSeconds((double)received / rate);
                    if (due > receiveClock.Elapsed)
                    {
                        await Task.Delay(due - receiveClock.Elapsed, ct);
                    }
                }

                if (received == count)
                {
                    return;
                }
            }
        }, ct);

        await using var publisher = await Clients.ConnectAsync(node, ct);
        var publishClock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(payload, i);
            await publisher.PublishAsync(subject, payload, cancellationToken: ct);
        }

        // The server has taken every message once it answers a PING sent after them.
        await publisher.PingAsync(ct);
        var publishSeconds = publishClock.Elapsed.TotalSeconds;

        // Done when the subscriber has everything, or as soon as the server cut it off.
        try
        {
            await Wait.Until(() => receiving.IsCompleted || subscriberConnection.ConnectionState != NatsConnectionState.Open,
                TimeSpan.FromSeconds(60), "the subscriber to take every message or be disconnected");
        }
        catch (TimeoutException)
        {
            // Reported by the caller's assertions: fewer messages than published.
        }

        var connected = subscriberConnection.ConnectionState == NatsConnectionState.Open;
        return new RunFigures(publishSeconds, receiveClock.Elapsed.TotalSeconds, received, inOrder, connected, count);
    }

    private static async Task<long?> VarzAsync(Node node, string field, CancellationToken ct)
    {
        using var varz = await MonitorEndpoints.GetJsonAsync(node, "/varz", ct);
        return varz.RootElement.TryGetProperty(field, out var value) ? value.GetInt64() : null;
    }

    /// <summary>The pending bytes of the open connection with a subscription to the never-read subject; 0 once it is gone.</summary>
    private static async Task<long> ReaderPendingAsync(Node node, CancellationToken ct)
    {
        using var connz = await MonitorEndpoints.GetJsonAsync(node, "/connz?subs=1", ct);
        foreach (var connection in connz.RootElement.GetProperty("connections").EnumerateArray())
        {
            if (connection.TryGetProperty("subscriptions_list", out var subs) && subs.EnumerateArray().Any(s => s.GetString() == "never.read"))
            {
                return connection.GetProperty("pending_bytes").GetInt64();
            }
        }

        return 0;
    }

    private static async Task<(string Reason, long Pending)?> ClosedReaderAsync(Node node, CancellationToken ct)
    {
        using var connz = await MonitorEndpoints.GetJsonAsync(node, "/connz?state=closed&subs=1", ct);
        foreach (var connection in connz.RootElement.GetProperty("connections").EnumerateArray())
        {
            if (connection.TryGetProperty("subscriptions_list", out var subs) && subs.EnumerateArray().Any(s => s.GetString() == "never.read"))
            {
                return (connection.GetProperty("reason").GetString() ?? "", connection.GetProperty("pending_bytes").GetInt64());
            }
        }

        return null;
    }
}
