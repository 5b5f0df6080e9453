using System.Collections.Concurrent;
using System.Diagnostics;
using NATS.Client.Core;

namespace Modular.Faults.Tests.Support;

/// <summary>
/// A publisher of numbered messages that moves make before break: it connects to the next server,
/// pauses until the last number sent on the old connection has been delivered, publishes on the
/// new one from then on, and leaves the old one.
/// </summary>
public sealed class MovingPublisher : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _subject;
    private readonly CancellationTokenSource _stop = new();
    private NatsConnection _current;
    private Task? _loop;
    private int _published;

    private MovingPublisher(string subject, NatsConnection first)
    {
        _subject = subject;
        _current = first;
    }

    public int Published => Volatile.Read(ref _published);

    public string ServerName => _current.ServerInfo?.Name ?? "?";

    public static async Task<MovingPublisher> ConnectAsync(string subject, Node node, CancellationToken ct) =>
        new(subject, await Clients.ConnectAsync(node, ct));

    /// <summary>Publishes 0 (a probe, not counted) until <paramref name="until"/> holds.</summary>
    public async Task ProbeAsync(Func<bool> until, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!until())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"the probe did not reach the subscriber within {timeout.TotalSeconds:0}s");
            }

            await _current.PublishAsync(_subject, 0, cancellationToken: ct);
            await Task.Delay(20, ct);
        }
    }

    public void Start(TimeSpan every) => _loop = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            await _gate.WaitAsync(CancellationToken.None);
            try
            {
                await _current.PublishAsync(_subject, _published + 1, cancellationToken: CancellationToken.None);
                Volatile.Write(ref _published, _published + 1);
            }
            finally
            {
                _gate.Release();
            }

            try
            {
                await Task.Delay(every, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    });

    /// <summary>
    /// Moves to <paramref name="node"/>; returns the last number published on the old connection.
    /// Publishing pauses from the last number on the old connection until <paramref name="delivered"/>
    /// says it reached the subscribers: NATS orders messages per publishing connection only, so the
    /// first number on the new connection (another server, another route) could otherwise overtake it.
    /// </summary>
    public async Task<int> MoveAsync(Node node, Func<int, Task> delivered, CancellationToken ct)
    {
        var next = await Clients.ConnectAsync(node, ct);
        NatsConnection old;
        int last;
        await _gate.WaitAsync(ct);
        try
        {
            last = _published;
            await _current.PingAsync(ct); // the old server has read everything sent there
            await delivered(last);
            (old, _current) = (_current, next);
        }
        catch
        {
            await next.DisposeAsync();
            throw;
        }
        finally
        {
            _gate.Release();
        }

        await old.DisposeAsync();
        return last;
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        await _current.PingAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _current.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>
/// A subscriber of numbered messages that moves make before break: it subscribes on a connection to
/// the next server, waits until the old connection has delivered the first number the new one got
/// (the overlap: nothing in between can be missing), then unsubscribes and drains the old one and
/// closes it. Duplicates of the overlap are counted, not kept.
/// </summary>
public sealed class MovingSubscriber : IAsyncDisposable
{
    private static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(10);

    private readonly string _subject;
    private readonly ConcurrentDictionary<int, int> _received = new();
    private Leg _current = null!;
    private int _outOfOrder;

    private MovingSubscriber(string subject) => _subject = subject;

    public string ServerName => _current.Connection.ServerInfo?.Name ?? "?";

    public int OutOfOrder => Volatile.Read(ref _outOfOrder);

    public static async Task<MovingSubscriber> ConnectAsync(string subject, Node node, CancellationToken ct)
    {
        var subscriber = new MovingSubscriber(subject);
        subscriber._current = await subscriber.OpenLegAsync(node, ct);
        return subscriber;
    }

    public bool Got(int number) => _received.ContainsKey(number);

    /// <summary>Numbers 1..published never delivered; the extra deliveries of the overlaps.</summary>
    public (List<int> Lost, int Duplicates) Count(int published) =>
        (Enumerable.Range(1, published).Where(n => !_received.ContainsKey(n)).ToList(), _received.Where(p => p.Key > 0).Sum(p => p.Value - 1));

    /// <summary>Moves to <paramref name="node"/>; returns a note on the overlap.</summary>
    public async Task<string> MoveAsync(Node node, CancellationToken ct)
    {
        var old = _current;
        var added = await OpenLegAsync(node, ct);
        var first = await added.First.Task.WaitAsync(MoveTimeout, ct);
        await Wait.Until(() => old.Highest >= first, MoveTimeout, $"the old connection to deliver {first}, the new one's first message");
        await old.Subscription.UnsubscribeAsync();
        await old.Connection.PingAsync(ct);
        await old.Reading.WaitAsync(MoveTimeout, ct);
        _current = added;
        await old.Connection.DisposeAsync();
        return $"subscriber moved: the new connection's first message {first}, the old one's last {old.Highest}";
    }

    private async Task<Leg> OpenLegAsync(Node node, CancellationToken ct)
    {
        var connection = await Clients.ConnectAsync(node, ct, adjust: o => o with { SubPendingChannelCapacity = 65536 });
        var subscription = await connection.SubscribeCoreAsync<int>(_subject, cancellationToken: ct);
        await connection.PingAsync(ct);
        var leg = new Leg(connection, subscription);
        leg.Reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in subscription.Msgs.ReadAllAsync(CancellationToken.None))
                {
                    var number = message.Data;
                    _received.AddOrUpdate(number, 1, (_, n) => n + 1);
                    if (number > 0)
                    {
                        if (number < leg.Highest)
                        {
                            Interlocked.Increment(ref _outOfOrder);
                        }

                        leg.Highest = Math.Max(leg.Highest, number);
                        leg.First.TrySetResult(number);
                    }
                }
            }
            catch (NatsException)
            {
            }
        });
        return leg;
    }

    public async ValueTask DisposeAsync() => await _current.Connection.DisposeAsync();

    private sealed class Leg(NatsConnection connection, INatsSub<int> subscription)
    {
        public NatsConnection Connection { get; } = connection;

        public INatsSub<int> Subscription { get; } = subscription;

        public TaskCompletionSource<int> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private int _highest;

        public int Highest
        {
            get => Volatile.Read(ref _highest);
            set => Volatile.Write(ref _highest, value);
        }

        public Task Reading { get; set; } = Task.CompletedTask;
    }
}
