using System.Buffers.Binary;
using System.Diagnostics;
using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Messaging;

/// <summary>Many small messages across one route: none lost, order kept per publisher.</summary>
public sealed class ThroughputAcrossRouteTests
{
    private const int Messages = 200_000;
    private const int FlushEvery = 10_000;

    [Fact]
    public async Task Route_200kSmallMessages_NoneLostOrderKept()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 2, NamePrefix = "tp-" }, ct);
        var subject = "flood." + Guid.NewGuid().ToString("N");
        await using var publisher = await Clients.ConnectAsync(cluster[0], ct);
        await using var subscriber = await Clients.ConnectAsync(cluster[1], ct, adjust: o => o with { SubPendingChannelCapacity = 65_536 });
        await using var sub = await subscriber.SubscribeCoreAsync<byte[]>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(publisher, subscriber, ct);

        var received = 0L;
        var outOfOrder = 0L;
        var firstProblem = (string?)null;
        var expectedNext = 0L;
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = Task.Run(
            async () =>
            {
                await foreach (var message in sub.Msgs.ReadAllAsync(ct))
                {
                    var data = message.Data;
                    if (data is not { Length: 16 })
                    {
                        firstProblem ??= $"message {received} has {data?.Length ?? -1} bytes, expected 16";
                        outOfOrder++;
                    }
                    else
                    {
                        var sequence = BinaryPrimitives.ReadInt64BigEndian(data);
                        if (sequence != expectedNext)
                        {
                            firstProblem ??= $"after {received} messages expected sequence {expectedNext}, got {sequence}";
                            outOfOrder++;
                        }

                        expectedNext = sequence + 1;
                    }

                    if (Interlocked.Increment(ref received) == Messages)
                    {
                        allIn.TrySetResult();
                        return;
                    }
                }
            },
            ct);

        var clock = Stopwatch.StartNew();
        for (long i = 0; i < Messages; i++)
        {
            var payload = new byte[16];
            BinaryPrimitives.WriteInt64BigEndian(payload, i);
            BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(8), ~i);
            await publisher.PublishAsync(subject, payload, cancellationToken: ct);
            if ((i + 1) % FlushEvery == 0)
            {
                await publisher.PingAsync(ct);
            }
        }

        await publisher.PingAsync(ct);
        var published = clock.Elapsed;
        var finished = await Task.WhenAny(allIn.Task, Task.Delay(TimeSpan.FromSeconds(60) - clock.Elapsed > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(60) - clock.Elapsed : TimeSpan.FromSeconds(5), ct));
        var total = Interlocked.Read(ref received);
        Assert.True(
            finished == allIn.Task,
            $"only {total} of {Messages} messages arrived within 60s (published in {published.TotalSeconds:0.0}s); first problem: {firstProblem ?? "none"}\n{await cluster.DescribeAsync(ct)}");
        await consumer.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.True(outOfOrder == 0, $"{outOfOrder} messages out of order or malformed; first: {firstProblem}");
        Assert.Equal(Messages, total);
    }
}
