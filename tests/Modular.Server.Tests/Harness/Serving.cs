using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Server.Tests.Harness;

/// <summary>Assertions that a server still does its job after something was thrown at it.</summary>
public static class Serving
{
    /// <summary>
    /// Proves a server still serves: a fresh NATS.Net client subscribes, publishes to itself and
    /// receives the message.
    /// </summary>
    public static async Task AssertServesAsync(Node server, CancellationToken cancellationToken, string? user = null, string? password = null)
    {
        await using var connection = await Clients.ConnectAsync(server, cancellationToken, user, password);
        var subject = "alive." + Guid.NewGuid().ToString("N");
        await using var subscription = await connection.SubscribeCoreAsync<string>(subject, cancellationToken: cancellationToken);
        await connection.PublishAsync(subject, "still-here", cancellationToken: cancellationToken);
        var message = await subscription.Msgs.ReadAsync(cancellationToken);
        Assert.Equal("still-here", message.Data);
    }
}
