using System.Diagnostics;
using NATS.Client.Core;

namespace Modular.Faults.Tests.Support;

/// <summary>
/// A steady stream of numbered messages (1, 2, …) from one publisher to one subscriber, and what the
/// subscriber got: the numbers never delivered, the extra deliveries, and the deliveries that came
/// after a higher number (order broken).
/// </summary>
public sealed class NumberedStream : IAsyncDisposable
{
    private readonly NatsConnection _publisher;
    private readonly NatsConnection _subscriber;
    private readonly INatsSub<int> _subscription;
    private readonly List<int> _received = new();
    private readonly Task _reading;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _closed = new();
    private Task? _publishing;
    private int _published;

    private NumberedStream(string subject, NatsConnection publisher, NatsConnection subscriber, INatsSub<int> subscription)
    {
        Subject = subject;
        _publisher = publisher;
        _subscriber = subscriber;
        _subscription = subscription;
        _reading = Task.Run(ReadAsync);
    }

    public string Subject { get; }

    public int Published => Volatile.Read(ref _published);

    public int ReceivedCount
    {
        get
        {
            lock (_received)
            {
                return _received.Count;
            }
        }
    }

    /// <summary>Subscribes on <paramref name="subscriber"/> and waits until <paramref name="publisher"/>'s node knows it.</summary>
    public static async Task<NumberedStream> OpenAsync(NatsConnection publisher, NatsConnection subscriber, CancellationToken cancellationToken)
    {
        var subject = "stream." + Guid.NewGuid().ToString("N");
        var subscription = await subscriber.SubscribeCoreAsync<int>(subject, cancellationToken: cancellationToken).ConfigureAwait(false);
        await Propagation.AwaitInterestAsync(publisher, subscriber, cancellationToken).ConfigureAwait(false);
        return new NumberedStream(subject, publisher, subscriber, subscription);
    }

    /// <summary>Publishes the next number every <paramref name="every"/> until <see cref="StopAsync"/>.</summary>
    public void Start(TimeSpan every)
    {
        _publishing = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                await PublishNextAsync(_stop.Token).ConfigureAwait(false);
                try
                {
                    await Task.Delay(every, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    /// <summary>Publishes <paramref name="count"/> more numbers in bursts of <paramref name="burst"/>, a pause of <paramref name="pause"/> between bursts.</summary>
    public async Task PublishAsync(int count, int burst, TimeSpan pause, CancellationToken cancellationToken)
    {
        for (var sent = 0; sent < count; sent++)
        {
            await PublishNextAsync(cancellationToken).ConfigureAwait(false);
            if ((sent + 1) % burst == 0)
            {
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task PublishNextAsync(CancellationToken cancellationToken)
    {
        var next = Published + 1;
        await _publisher.PublishAsync(Subject, next, cancellationToken: cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _published, next);
    }

    /// <summary>Stops publishing and waits until everything published has reached the subscriber (a barrier behind the last message).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_publishing is not null)
        {
            await _publishing.ConfigureAwait(false);
        }

        await _publisher.PingAsync(cancellationToken).ConfigureAwait(false);
        await Propagation.BarrierAsync(_publisher, _subscriber, cancellationToken).ConfigureAwait(false);
        await _subscriber.PingAsync(cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        while (_subscription.Msgs.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Numbers 1..published never delivered, extra deliveries, deliveries below one already seen.</summary>
    public StreamCount Count()
    {
        int[] received;
        lock (_received)
        {
            received = _received.ToArray();
        }

        var seen = new HashSet<int>();
        var duplicates = 0;
        var outOfOrder = 0;
        var highest = 0;
        foreach (var number in received)
        {
            if (!seen.Add(number))
            {
                duplicates++;
            }

            if (number < highest)
            {
                outOfOrder++;
            }

            highest = Math.Max(highest, number);
        }

        var lost = Enumerable.Range(1, Published).Where(n => !seen.Contains(n)).ToList();
        return new StreamCount(Published, received.Length, lost, duplicates, outOfOrder);
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var message in _subscription.Msgs.ReadAllAsync(_closed.Token).ConfigureAwait(false))
            {
                lock (_received)
                {
                    _received.Add(message.Data);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _closed.CancelAsync().ConfigureAwait(false);
        await _subscription.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _reading.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or NatsException)
        {
        }

        _stop.Dispose();
        _closed.Dispose();
    }
}

/// <summary>What a <see cref="NumberedStream"/>'s subscriber got.</summary>
public sealed record StreamCount(int Published, int Delivered, IReadOnlyList<int> Lost, int Duplicates, int OutOfOrder)
{
    public override string ToString() =>
        $"published {Published}, delivered {Delivered}, lost {Lost.Count}"
        + (Lost.Count == 0 ? "" : $" ({string.Join(",", Lost.Take(10))}{(Lost.Count > 10 ? ",…" : "")})")
        + $", duplicates {Duplicates}, out of order {OutOfOrder}";
}
