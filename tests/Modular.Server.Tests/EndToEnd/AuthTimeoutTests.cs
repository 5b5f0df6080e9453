using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>auth_timeout: a connection that never sends CONNECT is told so and closed.</summary>
public sealed class AuthTimeoutTests(AuthTimeoutServer fixture) : IClassFixture<AuthTimeoutServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task AuthTimeout_NoConnectSent_ErrAndClose()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);

        // auth_timeout is 1s: send nothing and wait for the server to give up on us.
        await raw.ExpectLineAsync("^-ERR 'Authentication Timeout'$", TimeSpan.FromSeconds(5), ct);
        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");

        // A client that logs in at once is still served.
        await using var other = await RawConnection.ConnectClientAsync(
            Server, $$"""{"verbose":false,"pedantic":false,"user":"{{AuthTimeoutServer.User}}","pass":"{{AuthTimeoutServer.Password}}"}""", answerPings: false, ct);
        await other.SendAsync("SUB t.alive 1\r\nPUB t.alive 2\r\nok\r\nPING\r\n", ct);
        Assert.Equal(new RawMessage("t.alive", "1", null, "ok"), await other.ReadMsgAsync(cancellationToken: ct));
        await other.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task AuthTimeout_ConnectSentPromptly_NotClosed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(
            Server, $$"""{"verbose":false,"pedantic":false,"user":"{{AuthTimeoutServer.User}}","pass":"{{AuthTimeoutServer.Password}}"}""", answerPings: false, ct);

        // Well past the auth timeout, the logged-in connection still answers.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        await raw.SendAsync("PING\r\n", ct);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }
}
