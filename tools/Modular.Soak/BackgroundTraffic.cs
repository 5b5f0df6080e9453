using NATS.Client.Core;

namespace Modular.Soak;

/// <summary>
/// The rest of the mix, counted but not held to zero loss: fan-out pub/sub on every node, a queue
/// group with one member per node, request/reply across the routes, subscription churn (new
/// subjects on and off every cycle) and one client that connects, works and leaves over and over.
/// </summary>
public sealed class BackgroundTraffic(IReadOnlyList<SoakNode> nodes, int perSecond)
{
    private long _fanPublished;
    private long _fanReceived;
    private long _queuePublished;
    private long _queueReceived;
    private long _requests;
    private long _replies;
    private long _requestFailures;
    private long _churnCycles;
    private long _churnSubscriptions;
    private long _flaps;
    private long _flapFailures;

    public string Summary =>
        $"fan-out {Interlocked.Read(ref _fanReceived)}/{Interlocked.Read(ref _fanPublished) * nodes.Count} received, " +
        $"queue {Interlocked.Read(ref _queueReceived)}/{Interlocked.Read(ref _queuePublished)}, " +
        $"requests {Interlocked.Read(ref _replies)}/{Interlocked.Read(ref _requests)} answered ({Interlocked.Read(ref _requestFailures)} failed), " +
        $"churn {Interlocked.Read(ref _churnCycles)} cycles/{Interlocked.Read(ref _churnSubscriptions)} subs, " +
        $"flaps {Interlocked.Read(ref _flaps)} ({Interlocked.Read(ref _flapFailures)} failed)";

    public long QueuePublished => Interlocked.Read(ref _queuePublished);

    public long QueueReceived => Interlocked.Read(ref _queueReceived);

    public async Task RunAsync(CancellationToken stop, CancellationToken abort)
    {
        var connections = new List<NatsConnection>();
        var readers = new List<Task>();
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(abort);
        try
        {
            foreach (var node in nodes)
            {
                var connection = await Clients.ConnectAsync(node, "soak-" + node.Name);
                connections.Add(connection);
                readers.Add(CountAsync(await connection.SubscribeCoreAsync<byte[]>("soak.fan.>", cancellationToken: abort), () => Interlocked.Increment(ref _fanReceived), reading.Token));
                readers.Add(CountAsync(await connection.SubscribeCoreAsync<byte[]>("soak.work", queueGroup: "workers", cancellationToken: abort), () => Interlocked.Increment(ref _queueReceived), reading.Token));
                readers.Add(ReplyAsync(await connection.SubscribeCoreAsync<byte[]>("soak.rpc", queueGroup: "responders", cancellationToken: abort), reading.Token));
                await connection.PingAsync(abort);
            }

            var payload = new byte[128];
            var work = new List<Task>();
            for (var i = 0; i < nodes.Count; i++)
            {
                var connection = connections[i];
                var subject = "soak.fan." + nodes[i].Name;
                work.Add(Clients.PaceAsync(perSecond, async () =>
                {
                    await connection.PublishAsync(subject, payload, cancellationToken: abort);
                    Interlocked.Increment(ref _fanPublished);
                }, stop));
            }

            work.Add(Clients.PaceAsync(perSecond, async () =>
            {
                await connections[1].PublishAsync("soak.work", payload, cancellationToken: abort);
                Interlocked.Increment(ref _queuePublished);
            }, stop));
            work.Add(Clients.PaceAsync(Math.Max(1, perSecond / 4), () => RequestAsync(connections[0], abort), stop));
            work.Add(ChurnAsync(nodes[1], stop));
            work.Add(FlapAsync(stop));
            await Task.WhenAll(work);
            foreach (var connection in connections)
            {
                await connection.PingAsync(abort);
            }

            // What was sent before the stop is delivered within this (fan-out and queue are counted, not asserted).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (DateTime.UtcNow < deadline &&
                   (Interlocked.Read(ref _fanReceived) < Interlocked.Read(ref _fanPublished) * nodes.Count || QueueReceived < QueuePublished))
            {
                await Task.Delay(100, abort);
            }
        }
        finally
        {
            reading.Cancel();
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }

            await Task.WhenAll(readers);
        }
    }

    private static async Task CountAsync(INatsSub<byte[]> subscription, Action count, CancellationToken ct)
    {
        try
        {
            await foreach (var _ in subscription.Msgs.ReadAllAsync(ct))
            {
                count();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ReplyAsync(INatsSub<byte[]> subscription, CancellationToken ct)
    {
        try
        {
            await foreach (var message in subscription.Msgs.ReadAllAsync(ct))
            {
                await message.ReplyAsync(message.Data, cancellationToken: ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (NatsException)
        {
            // The connection closed under a reply at the end of the run.
        }
    }

    private async ValueTask RequestAsync(NatsConnection connection, CancellationToken ct)
    {
        Interlocked.Increment(ref _requests);
        try
        {
            var reply = await connection.RequestAsync<byte[], byte[]>("soak.rpc", new byte[16], replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(2) }, cancellationToken: ct);
            if (reply.Data is { Length: 16 })
            {
                Interlocked.Increment(ref _replies);
            }
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            Interlocked.Increment(ref _requestFailures);
        }
    }

    // Each cycle: 200 subjects never used before, subscribed, confirmed by a PING round trip, all unsubscribed.
    private async Task ChurnAsync(SoakNode node, CancellationToken stop)
    {
        await using var connection = await Clients.ConnectAsync(node, "soak-churn");
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var cycle = Interlocked.Increment(ref _churnCycles);
                var subscriptions = new List<INatsSub<byte[]>>();
                for (var i = 0; i < 200; i++)
                {
                    subscriptions.Add(await connection.SubscribeCoreAsync<byte[]>($"soak.churn.{cycle}.{i}", cancellationToken: stop));
                }

                Interlocked.Add(ref _churnSubscriptions, subscriptions.Count);
                await connection.PingAsync(stop);
                foreach (var subscription in subscriptions)
                {
                    await subscription.DisposeAsync();
                }

                await connection.PingAsync(stop);
                await Task.Delay(250, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // One client that connects to the next node, subscribes, publishes to itself, and disconnects, every 300 ms.
    private async Task FlapAsync(CancellationToken stop)
    {
        var round = 0;
        while (!stop.IsCancellationRequested)
        {
            var node = nodes[round++ % nodes.Count];
            try
            {
                await using var connection = await Clients.ConnectAsync(node, "soak-flapper");
                await using var subscription = await connection.SubscribeCoreAsync<byte[]>("soak.flap." + round, cancellationToken: stop);
                for (var i = 0; i < 10; i++)
                {
                    await connection.PublishAsync("soak.flap." + round, new byte[32], cancellationToken: stop);
                }

                await connection.PingAsync(stop);
                Interlocked.Increment(ref _flaps);
                await Task.Delay(300, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (NatsException)
            {
                Interlocked.Increment(ref _flapFailures);
            }
        }
    }
}
