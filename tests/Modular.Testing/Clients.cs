using System.Threading.Channels;
using NATS.Client.Core;

namespace Modular.Testing;

/// <summary>Real NATS.Net connections to cluster nodes, failing fast instead of reconnecting elsewhere.</summary>
public static class Clients
{
    public static async Task<NatsConnection> ConnectAsync(
        Node node,
        CancellationToken cancellationToken,
        string? user = null,
        string? password = null,
        Func<NatsOpts, NatsOpts>? adjust = null)
    {
        var opts = Options(node, user, password);
        if (adjust is not null)
        {
            opts = adjust(opts);
        }

        var connection = new NatsConnection(opts);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Options for one node: no reconnect, and subscription channels that apply back-pressure
    /// (<see cref="BoundedChannelFullMode.Wait"/>) so the client never drops a message itself.
    /// </summary>
    public static NatsOpts Options(Node node, string? user = null, string? password = null) =>
        NatsOpts.Default with
        {
            Url = node.ClientUrl,
            Name = "modular-cluster-tests",
            AuthOpts = user is null ? NatsAuthOpts.Default : NatsAuthOpts.Default with { Username = user, Password = password },
            ConnectTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(10),
            CommandTimeout = TimeSpan.FromSeconds(10),
            MaxReconnectRetry = 0,
            RetryOnInitialConnect = false,
            SubPendingChannelCapacity = 4096,
            SubPendingChannelFullMode = BoundedChannelFullMode.Wait,
        };

    /// <summary>Every message already in a subscription's channel, without waiting.</summary>
    public static List<NatsMsg<T>> Drain<T>(INatsSub<T> subscription)
    {
        var messages = new List<NatsMsg<T>>();
        while (subscription.Msgs.TryRead(out var message))
        {
            messages.Add(message);
        }

        return messages;
    }
}

/// <summary>
/// Waiting for the cluster by sending traffic instead of sleeping. Interest and messages travel in
/// order on a client connection and, for one account, on one route connection; so when a probe
/// published on <c>publisher</c> reaches a probe subscription made last on <c>subscriber</c>:
/// every subscription <c>subscriber</c> made before is known to the publisher's node, and every
/// message <c>publisher</c> sent before to <c>subscriber</c>'s subscriptions has been delivered.
/// Both connections must be in the same account.
/// </summary>
public static class Propagation
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Returns once <paramref name="publisher"/>'s node knows every subscription <paramref name="subscriber"/> has made so far.</summary>
    public static Task AwaitInterestAsync(NatsConnection publisher, NatsConnection subscriber, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        ProbeAsync(publisher, subscriber, "interest", cancellationToken, timeout);

    /// <summary>Returns once every message <paramref name="publisher"/> published so far has reached <paramref name="subscriber"/>'s subscriptions.</summary>
    public static Task BarrierAsync(NatsConnection publisher, NatsConnection subscriber, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        ProbeAsync(publisher, subscriber, "barrier", cancellationToken, timeout);

    private static async Task ProbeAsync(NatsConnection publisher, NatsConnection subscriber, string purpose, CancellationToken cancellationToken, TimeSpan? timeout)
    {
        var limit = timeout ?? DefaultTimeout;
        var subject = $"_probe.{purpose}.{Guid.NewGuid():N}";
        await using var probe = await subscriber.SubscribeCoreAsync<string>(subject, cancellationToken: cancellationToken).ConfigureAwait(false);
        await subscriber.PingAsync(cancellationToken).ConfigureAwait(false);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var sent = 0;
        while (clock.Elapsed < limit)
        {
            await publisher.PublishAsync(subject, "probe", cancellationToken: cancellationToken).ConfigureAwait(false);
            sent++;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromMilliseconds(Math.Min(50 + (sent * 10), 250)));
            try
            {
                await probe.Msgs.ReadAsync(wait.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not there yet: publish another probe.
            }
            catch (ChannelClosedException ex)
            {
                throw new InvalidOperationException($"the {purpose} probe subscription on {subject} was closed", ex);
            }
        }

        throw new TimeoutException(
            $"no {purpose} probe on {subject} reached the subscriber ({subscriber.ServerInfo?.Name}) from the publisher ({publisher.ServerInfo?.Name}) within {limit.TotalSeconds:0.#}s ({sent} probes sent)");
    }
}
