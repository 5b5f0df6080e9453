using System.Buffers.Binary;
using NATS.Client.Core;

namespace Modular.Soak;

/// <summary>
/// The stream that must lose nothing: numbered messages published on one node, received on the
/// other two through the routes; each receiver checks every number arrives once and in order.
/// </summary>
public sealed class SteadyStream(SoakNode publisherNode, IReadOnlyList<SoakNode> subscriberNodes, int perSecond)
{
    private const string Subject = "soak.steady";
    private readonly Receiver[] _receivers = subscriberNodes.Select(n => new Receiver(n.Name)).ToArray();
    private long _published;

    public long Published => Interlocked.Read(ref _published);

    public IReadOnlyList<Receiver> Receivers => _receivers;

    /// <summary>Subscribes first (and checks interest reached the publisher's node), then publishes until cancelled.</summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken abort)
    {
        using var received = CancellationTokenSource.CreateLinkedTokenSource(abort);
        var subscribers = new List<Task>();
        for (var i = 0; i < _receivers.Length; i++)
        {
            var connection = await Clients.ConnectAsync(subscriberNodes[i], "soak-steady-sub");
            var subscription = await connection.SubscribeCoreAsync<byte[]>(Subject, cancellationToken: abort);
            await connection.PingAsync(abort);
            subscribers.Add(_receivers[i].ReceiveAsync(connection, subscription, received.Token));
        }

        await using var publisher = await Clients.ConnectAsync(publisherNode, "soak-steady-pub");
        await WaitForInterestAsync(publisher, abort);
        var payload = new byte[64];
        await Clients.PaceAsync(perSecond, async () =>
        {
            BinaryPrimitives.WriteInt64LittleEndian(payload, _published + 1);
            await publisher.PublishAsync(Subject, payload, cancellationToken: abort);
            Interlocked.Increment(ref _published);
        }, stop);
        await publisher.PingAsync(abort);

        // Everything published is in flight at most this long; what has not arrived by then is lost.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (_receivers.Any(r => r.Received < Published) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, abort);
        }

        received.Cancel();
        await Task.WhenAll(subscribers);
    }

    // A probe until every receiver saw one: interest has crossed the routes before numbering starts.
    private async Task WaitForInterestAsync(NatsConnection publisher, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (_receivers.Any(r => !r.SawProbe))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the steady stream's subscribers never saw a probe");
            }

            await publisher.PublishAsync(Subject, new byte[8], cancellationToken: ct);
            await Task.Delay(50, ct);
        }
    }

    public sealed class Receiver(string node)
    {
        private long _received;
        private long _expected = 1;

        public string Node => node;

        public bool SawProbe { get; private set; }

        public long Received => Interlocked.Read(ref _received);

        public long Gaps { get; private set; }

        public long DuplicatesOrReordered { get; private set; }

        public async Task ReceiveAsync(NatsConnection connection, INatsSub<byte[]> subscription, CancellationToken ct)
        {
            await using var _ = connection;
            await using var __ = subscription;
            try
            {
                await foreach (var message in subscription.Msgs.ReadAllAsync(ct))
                {
                    var sequence = BinaryPrimitives.ReadInt64LittleEndian(message.Data);
                    if (sequence == 0)
                    {
                        SawProbe = true;
                        continue;
                    }

                    if (sequence == _expected)
                    {
                        _expected++;
                    }
                    else if (sequence > _expected)
                    {
                        Gaps += sequence - _expected;
                        _expected = sequence + 1;
                    }
                    else
                    {
                        DuplicatesOrReordered++;
                    }

                    Interlocked.Increment(ref _received);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
