using NATS.Client.Core;

namespace Modular.Server.Tests.Harness;

/// <summary>Real NATS.Net connections to a test server, configured to fail fast instead of reconnecting.</summary>
public static class NatsClients
{
    public static async Task<NatsConnection> ConnectAsync(
        Node server,
        CancellationToken cancellationToken,
        string? user = null,
        string? password = null,
        Func<NatsOpts, NatsOpts>? adjust = null)
    {
        var opts = Options(server, user, password);
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

    public static NatsOpts Options(Node server, string? user = null, string? password = null) =>
        NatsOpts.Default with
        {
            Url = server.ClientUrl,
            Name = "modular-e2e",
            AuthOpts = user is null ? NatsAuthOpts.Default : NatsAuthOpts.Default with { Username = user, Password = password },
            ConnectTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(10),
            CommandTimeout = TimeSpan.FromSeconds(10),
            MaxReconnectRetry = 0,
            RetryOnInitialConnect = false,
        };

    /// <summary>Reads every message already delivered into a subscription's channel, without waiting.</summary>
    public static List<NatsMsg<T>> Drain<T>(INatsSub<T> subscription)
    {
        var messages = new List<NatsMsg<T>>();
        while (subscription.Msgs.TryRead(out var message))
        {
            messages.Add(message);
        }

        return messages;
    }

    /// <summary>
    /// Proves a server still serves: a fresh NATS.Net client subscribes, publishes to itself and
    /// receives the message.
    /// </summary>
    public static async Task AssertServesAsync(Node server, CancellationToken cancellationToken, string? user = null, string? password = null)
    {
        await using var connection = await ConnectAsync(server, cancellationToken, user, password);
        var subject = "alive." + Guid.NewGuid().ToString("N");
        await using var subscription = await connection.SubscribeCoreAsync<string>(subject, cancellationToken: cancellationToken);
        await connection.PublishAsync(subject, "still-here", cancellationToken: cancellationToken);
        var message = await subscription.Msgs.ReadAsync(cancellationToken);
        Assert.Equal("still-here", message.Data);
    }
}
