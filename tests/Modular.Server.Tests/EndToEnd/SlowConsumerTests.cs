using System.Text.Json;
using System.Threading.Channels;
using NATS.Client.Core;
using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>A subscriber that stops reading is cut off once max_pending is exceeded; others keep receiving.</summary>
public sealed class SlowConsumerTests(SlowConsumerServer fixture) : IClassFixture<SlowConsumerServer>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private Node Server => fixture.Server;

    [Fact]
    public async Task SlowConsumer_RawSubscriberNeverReads_ClosedWhileFastSubscriberGetsEveryMessage()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        const string subject = "firehose.data";
        const int batchSize = 100;
        const int maxBatches = 400; // 40 MB at most: far beyond any kernel buffering plus 256 KB
        var payload = new byte[1024];
        Array.Fill(payload, (byte)'z');
        var slowBefore = await SlowConsumersAsync(ct);

        // The slow one: subscribes, then never reads again, with a small kernel receive buffer.
        await using var slow = await RawConnection.OpenClientAsync(Server, ct, receiveBufferSize: 4096);
        await slow.SendAsync($"CONNECT {{\"verbose\":false,\"pedantic\":false}}\r\nSUB {subject} 1\r\nPING\r\n", ct);
        await slow.ExpectLineAsync("^PONG$", cancellationToken: ct);

        await using var fast = await Clients.ConnectAsync(Server, ct, adjust: o => o with
        {
            SubPendingChannelCapacity = 1_000_000,
            SubPendingChannelFullMode = BoundedChannelFullMode.Wait,
        });
        await using var fastSub = await fast.SubscribeCoreAsync<byte[]>(subject, cancellationToken: ct);
        await fast.PingAsync(ct);
        var fastReceived = 0;
        var counting = Task.Run(async () =>
        {
            await foreach (var message in fastSub.Msgs.ReadAllAsync(ct))
            {
                Interlocked.Increment(ref fastReceived);
            }
        }, ct);

        await using var publisher = await Clients.ConnectAsync(Server, ct);
        var published = 0;
        var cutOff = false;
        for (var batch = 0; batch < maxBatches && !cutOff; batch++)
        {
            for (var i = 0; i < batchSize; i++)
            {
                await publisher.PublishAsync(subject, payload, cancellationToken: ct);
            }

            published += batchSize;
            await publisher.PingAsync(ct);

            // Keep the fast subscriber under max_pending: let it catch up before the next batch.
            var target = published;
            await Wait.Until(() => Volatile.Read(ref fastReceived) >= target, TimeSpan.FromSeconds(10),
                $"the fast subscriber to receive {target} messages (has {Volatile.Read(ref fastReceived)})");

            if (batch % 5 == 4)
            {
                cutOff = await SlowConsumersAsync(ct) > slowBefore;
            }
        }

        await Wait.Until(async () => await SlowConsumersAsync(ct) > slowBefore, TimeSpan.FromSeconds(10),
            $"/varz slow_consumers to rise above {slowBefore} after {published} messages of {payload.Length} bytes\n{Server.Describe()}");

        // The server keeps delivering to the fast subscriber after the cut.
        for (var i = 0; i < batchSize; i++)
        {
            await publisher.PublishAsync(subject, payload, cancellationToken: ct);
        }

        published += batchSize;
        await publisher.PingAsync(ct);
        await Wait.Until(() => Volatile.Read(ref fastReceived) >= published, TimeSpan.FromSeconds(10),
            $"the fast subscriber to receive all {published} messages");
        await fast.PingAsync(ct);
        Assert.Equal(published, Volatile.Read(ref fastReceived));

        Assert.True(await slow.WaitForCloseAsync(TimeSpan.FromSeconds(15), ct), "the slow subscriber's connection was not closed");
        await fastSub.UnsubscribeAsync();
        await counting.WaitAsync(ct);
    }

    private async Task<long> SlowConsumersAsync(CancellationToken ct)
    {
        using var response = await Http.GetAsync(Server.MonitorUrl + "/varz", ct);
        response.EnsureSuccessStatusCode();
        using var varz = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return varz.RootElement.TryGetProperty("slow_consumers", out var count)
            ? count.GetInt64()
            : throw new Xunit.Sdk.XunitException($"/varz has no slow_consumers: {varz.RootElement}");
    }
}
