using System.Collections.Concurrent;
using System.Diagnostics;
using Modular.Testing;
using NATS.Client.Core;
using Xunit.Abstractions;

namespace Modular.Cluster.Tests.Operations;

/// <summary>
/// The rolling upgrade of docs/operations.md on a 3-node cluster: each server in turn goes into lame
/// duck mode, exits, and starts again on the same ports, while one NATS.Net client publishes a
/// numbered message every 5 ms and two subscribe. All know the three servers and move as soon as they
/// are told of lame duck mode. The publisher and one subscriber move make before break: a new
/// connection to another server first; the publisher then closes the old one after a PING/PONG, the
/// subscriber after the two connections overlap and a drain of the old subscription (duplicates
/// dropped by number). The other subscriber uses NATS.Net's reconnect (break before make), for
/// comparison. The make-before-break subscriber must get every message.
/// </summary>
public sealed class RollingUpgradeTests(ITestOutputHelper output)
{
    private const string Subject = "roll.seq";

    [Fact]
    public async Task ReplaceEachServerInTurn_ClientsThatMoveMakeBeforeBreak_LoseNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec { Size = 3, NamePrefix = "roll", Backend = NodeBackend.Process, AdjustNode = (_, node) => node with { ExtraServerConfig = "lame_duck_duration = \"3s\"\nlame_duck_grace_period = \"1s\"" } },
            timeout.Token);
        var nodes = cluster.Nodes;
        try
        {
            await cluster.WaitFormedAsync(timeout: TimeSpan.FromSeconds(30));

            var urls = nodes.Select(n => n.ClientUrl).ToArray();
            await using var publisher = new MovingPublisher(urls);
            await publisher.StartAsync(timeout.Token);
            await using var reconnecting = new Receiver("roll-sub-reconnect", urls, makeBeforeBreak: false);
            await using var moving = new Receiver("roll-sub-move", urls, makeBeforeBreak: true);
            await reconnecting.StartAsync(timeout.Token);
            await moving.StartAsync(timeout.Token);

            // The subscriptions have reached the publisher's server once a probe (number 0, not counted) reaches both.
            var probing = Stopwatch.StartNew();
            while (!(reconnecting.Got(0) && moving.Got(0)))
            {
                Assert.True(probing.Elapsed < TimeSpan.FromSeconds(10), "the probe did not reach both subscribers within 10s");
                await publisher.PublishAsync(0, timeout.Token);
                await Task.Delay(20, timeout.Token);
            }

            var published = 0;
            var publishErrors = 0;
            using var stopPublishing = new CancellationTokenSource();
            var publishing = Task.Run(async () =>
            {
                while (!stopPublishing.IsCancellationRequested)
                {
                    try
                    {
                        await publisher.PublishAsync(published + 1, timeout.Token);
                        published++;
                    }
                    catch (Exception ex) when (ex is NatsException or TimeoutException)
                    {
                        publishErrors++;
                    }

                    await Task.Delay(5, CancellationToken.None);
                }
            });

            var clock = Stopwatch.StartNew();
            foreach (var node in nodes)
            {
                await Task.Delay(700, timeout.Token);
                var before = published;
                node.Signal(Signals.LameDuck);
                var exitCode = await node.WaitExitAsync(TimeSpan.FromSeconds(20));
                Assert.True(exitCode == 0, $"{node.Name} exited {exitCode} after lame duck mode\n{node.Describe()}");
                output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0}s {node.Name} (:{node.ClientPort}): lame duck after message {before} → exited 0 (published {published - before} meanwhile); starting again on the same ports");
                await node.RestartAsync(timeout.Token);
                await OpsMonitoring.WaitClusterCheckAsync(nodes, TimeSpan.FromSeconds(30));
                output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0}s {node.Name}: back, modular cluster check passes again");
            }

            await Task.Delay(1000, timeout.Token); // some traffic on the whole cluster again
            await stopPublishing.CancelAsync();
            await publishing;
            await publisher.PingAsync(timeout.Token); // everything published has left the client

            // The last message reaches both subscribers (or the count below says what is missing).
            var settling = Stopwatch.StartNew();
            while (!(moving.Got(published) && reconnecting.Got(published)) && settling.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20, timeout.Token);
            }

            var (lostReconnecting, duplicatesReconnecting) = reconnecting.Count(published);
            var (lostMoving, duplicatesMoving) = moving.Count(published);
            var summary = $"rolling upgrade of 3 servers: published {published} (publish errors {publishErrors}); "
                + $"publisher moving make-before-break: moves {publisher.Moves}; "
                + $"subscriber moving make-before-break: lost {lostMoving.Count}{Sample(lostMoving)}, duplicates dropped {duplicatesMoving}, moves {moving.Moves}; "
                + $"subscriber using NATS.Net reconnect: lost {lostReconnecting.Count}{Sample(lostReconnecting)}, duplicates {duplicatesReconnecting}";
            output.WriteLine(summary);
            var notes = publisher.MoveNotes.Concat(moving.MoveNotes).ToList();
            foreach (var note in notes)
            {
                output.WriteLine("  " + note);
            }

            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "modular-rolling-upgrade.txt"), summary + "\n", timeout.Token);

            Assert.True(published > 500, summary);
            // Nothing lost: the subscriber closes its old connection only after the overlap and a drain,
            // and the server flushes what it queued to a client before it closes the connection.
            Assert.True(lostMoving.Count == 0, summary + "\n" + string.Join("\n", notes) + "\n" + string.Join("\n", nodes.Select(n => n.Describe(15))));
            Assert.True(moving.Moves >= 1, "the make-before-break subscriber was never told of lame duck mode: " + summary);
            Assert.True(nodes.All(n => n.OutputContains("Entering lame duck mode")), "a node did not log lame duck mode");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static string Sample(List<int> lost) =>
        lost.Count == 0 ? "" : $" ({string.Join(",", lost.Take(20))}{(lost.Count > 20 ? ",…" : "")})";

    /// <summary>
    /// A publisher that moves make before break: told of lame duck mode, it connects to another server
    /// and publishes there from then on; it closes the old connection only after a PING/PONG on it, so
    /// the old server has read everything published there. (NATS.Net's ReconnectAsync instead can lose
    /// the message being sent at that moment: a send cut by the reconnect counts as sent, at most once.)
    /// </summary>
    private sealed class MovingPublisher(string[] urls) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1); // one publish at a time, so a move swaps connections between two
        private readonly List<NatsConnection> _all = new();
        private NatsConnection? _current;

        private readonly ConcurrentQueue<string> _moveNotes = new();
        private int _last;

        public int Moves { get; private set; }

        /// <summary>One line per move: from which server to which, and the first message sent to the new one.</summary>
        public IEnumerable<string> MoveNotes => _moveNotes;

        public async Task StartAsync(CancellationToken cancellationToken) => _current = await ConnectAsync(urls, cancellationToken);

        public async Task PublishAsync(int number, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                await _current!.PublishAsync(Subject, number, cancellationToken: cancellationToken);
                _last = number;
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task PingAsync(CancellationToken cancellationToken) => await _current!.PingAsync(cancellationToken);

        private async Task<NatsConnection> ConnectAsync(string[] to, CancellationToken cancellationToken)
        {
            var connection = new NatsConnection(NatsOpts.Default with
            {
                Url = string.Join(",", to),
                Name = "roll-pub",
                MaxReconnectRetry = -1,
                ReconnectWaitMin = TimeSpan.FromMilliseconds(50),
                ReconnectWaitMax = TimeSpan.FromMilliseconds(200),
            });
            connection.LameDuckModeActivated += (_, _) =>
            {
                _ = Task.Run(() => MoveAsync(connection, cancellationToken));
                return ValueTask.CompletedTask;
            };
            await connection.ConnectAsync();
            lock (_all)
            {
                _all.Add(connection);
            }

            return connection;
        }

        private async Task MoveAsync(NatsConnection old, CancellationToken cancellationToken)
        {
            var leaving = old.ServerInfo?.Port;
            var next = await ConnectAsync(urls.Where(u => leaving is null || !u.EndsWith(":" + leaving, StringComparison.Ordinal)).ToArray(), cancellationToken);
            await _gate.WaitAsync(cancellationToken);
            try
            {
                _current = next;
                _moveNotes.Enqueue($"publisher move: from :{old.ServerInfo?.Port} to :{next.ServerInfo?.Port} after message {_last}");
            }
            finally
            {
                _gate.Release();
            }

            await old.PingAsync(cancellationToken); // the old server has read what was published there
            Moves++;
            await old.DisposeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            List<NatsConnection> all;
            lock (_all)
            {
                all = _all.ToList();
            }

            foreach (var connection in all)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>A client of the whole cluster that reconnects as soon as its server announces lame duck mode.</summary>
    private static NatsConnection Connect(string urls, string name)
    {
        var connection = new NatsConnection(NatsOpts.Default with
        {
            Url = urls,
            Name = name,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(50),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(200),
            ReconnectJitter = TimeSpan.FromMilliseconds(20),
            SubPendingChannelCapacity = 65536,
            SubPendingChannelFullMode = System.Threading.Channels.BoundedChannelFullMode.Wait,
        });
        connection.LameDuckModeActivated += (_, _) =>
        {
            _ = Task.Run(async () => await connection.ReconnectAsync());
            return ValueTask.CompletedTask;
        };
        return connection;
    }

    /// <summary>
    /// A subscriber that counts numbered messages. With <c>makeBeforeBreak</c> it answers lame duck
    /// mode as a client that must not lose a message does: it subscribes on a new connection to one of
    /// the other servers, and once both connections deliver the same messages (the overlap) it drains
    /// the old subscription (UNSUB, then PING/PONG so whatever the old server sent first is read) and
    /// only then closes the old connection; the duplicates of the overlap are dropped by number.
    /// </summary>
    private sealed class Receiver(string name, string[] urls, bool makeBeforeBreak) : IAsyncDisposable
    {
        /// <summary>How long a move waits for the overlap before it drains anyway (the old server may have closed the connection).</summary>
        private static readonly TimeSpan OverlapTimeout = TimeSpan.FromSeconds(5);

        private readonly ConcurrentDictionary<int, int> _received = new();
        private readonly List<Leg> _legs = new();
        private readonly ConcurrentQueue<string> _moveNotes = new();
        private readonly SemaphoreSlim _moving = new(1, 1);
        private CancellationToken _cancellation;

        public int Moves { get; private set; }

        /// <summary>One line per move: where the overlap began, and what the drain still read from the old server.</summary>
        public IEnumerable<string> MoveNotes => _moveNotes;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            _cancellation = cancellationToken;
            await AddLegAsync(string.Join(",", urls));
        }

        /// <summary>Lost: numbers 1..published never delivered; duplicates: extra deliveries (the probes, number 0, aside).</summary>
        public (List<int> Lost, int Duplicates) Count(int published) =>
            (Enumerable.Range(1, published).Where(seq => !_received.ContainsKey(seq)).ToList(), _received.Where(p => p.Key > 0).Sum(p => p.Value - 1));

        public bool Got(int number) => _received.ContainsKey(number);

        /// <summary>Connects, subscribes and waits for the PONG that proves the server has the subscription.</summary>
        private async Task<Leg> AddLegAsync(string connectTo)
        {
            var connection = makeBeforeBreak
                ? new NatsConnection(NatsOpts.Default with
                {
                    Url = connectTo,
                    Name = name,
                    MaxReconnectRetry = -1,
                    ReconnectWaitMin = TimeSpan.FromMilliseconds(50),
                    ReconnectWaitMax = TimeSpan.FromMilliseconds(200),
                    SubPendingChannelCapacity = 65536,
                    SubPendingChannelFullMode = System.Threading.Channels.BoundedChannelFullMode.Wait,
                })
                : Connect(connectTo, name);
            var leg = new Leg(connection);
            if (makeBeforeBreak)
            {
                connection.LameDuckModeActivated += (_, _) =>
                {
                    _ = Task.Run(() => MoveAsync(leg));
                    return ValueTask.CompletedTask;
                };
            }

            await connection.ConnectAsync();
            leg.Subscription = await connection.SubscribeCoreAsync<int>(Subject, cancellationToken: _cancellation);
            await connection.PingAsync(_cancellation);
            leg.Reading = Task.Run(async () =>
            {
                try
                {
                    await foreach (var message in leg.Subscription.Msgs.ReadAllAsync(_cancellation))
                    {
                        _received.AddOrUpdate(message.Data, 1, (_, n) => n + 1);
                        leg.OnMessage(message.Data);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
            lock (_legs)
            {
                _legs.Add(leg);
            }

            return leg;
        }

        private async Task MoveAsync(Leg old)
        {
            await _moving.WaitAsync(_cancellation);
            try
            {
                var leaving = old.Connection.ServerInfo?.Port;
                var others = urls.Where(u => leaving is null || !u.EndsWith(":" + leaving, StringComparison.Ordinal)).ToArray();
                var added = await AddLegAsync(string.Join(",", others));

                // The publisher's server routes to the new subscription from its first message on.
                var first = await added.First.Task.WaitAsync(TimeSpan.FromSeconds(10), _cancellation);
                var oldAtFirst = old.Highest; // below first - 1: closing the old connection now would lose the messages in between

                // The overlap: once the old connection delivered that message too, everything the publisher's
                // server routed to the old server before it (one route, in order) has been delivered as well.
                var overlapped = await WaitUntilAsync(() => old.Highest >= first, OverlapTimeout);
                var before = old.Count;

                // Drain: UNSUB, and the PING/PONG fence makes sure what the old server sent before it has been read.
                await old.Subscription!.DrainAsync(_cancellation);
                await old.Reading!.WaitAsync(TimeSpan.FromSeconds(10), _cancellation);
                Moves++;
                _moveNotes.Enqueue($"move {Moves} from :{old.Connection.ServerInfo?.Port} to :{added.Connection.ServerInfo?.Port}: new connection's first message {first} (the old one was at {oldAtFirst} then), "
                    + $"old connection {(overlapped ? "overlapped" : "did not overlap")} (highest {old.Highest}), the drain read {old.Count - before} more");
                await old.Connection.DisposeAsync();
            }
            finally
            {
                _moving.Release();
            }
        }

        private async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (!condition())
            {
                if (clock.Elapsed > timeout)
                {
                    return false;
                }

                await Task.Delay(5, _cancellation);
            }

            return true;
        }

        public async ValueTask DisposeAsync()
        {
            List<Leg> all;
            lock (_legs)
            {
                all = _legs.ToList();
            }

            foreach (var leg in all)
            {
                await leg.Connection.DisposeAsync();
            }
        }

        /// <summary>One connection of the subscriber, its subscription and what it delivered.</summary>
        private sealed class Leg(NatsConnection connection)
        {
            private int _highest;
            private int _count;

            public NatsConnection Connection { get; } = connection;

            public INatsSub<int>? Subscription { get; set; }

            public Task? Reading { get; set; }

            /// <summary>The number of the first message this connection delivered.</summary>
            public TaskCompletionSource<int> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public int Highest => Volatile.Read(ref _highest);

            public int Count => Volatile.Read(ref _count);

            public void OnMessage(int seq)
            {
                First.TrySetResult(seq);
                Interlocked.Increment(ref _count);
                if (seq > Volatile.Read(ref _highest))
                {
                    Volatile.Write(ref _highest, seq);
                }
            }
        }
    }
}
