using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.Protocol;

/// <summary>Malformed client input: the exact -ERR, whether the connection closes, and that other clients are unaffected.</summary>
public sealed class MalformedInputTests(PlainServer fixture) : IClassFixture<PlainServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Pedantic_WildcardPublishSubject_InvalidPublishSubjectAndStaysOpen()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, """{"verbose":false,"pedantic":true}""", answerPings: false, ct);

        await raw.SendAsync("PUB foo.* 2\r\nhi\r\n", ct);

        await raw.ExpectLineAsync("^-ERR 'Invalid Publish Subject'$", cancellationToken: ct);
        await raw.SendAsync("PING\r\n", ct);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
        await Serving.AssertServesAsync(Server, ct);
    }

    [Fact]
    public async Task Sub_EmptyToken_InvalidSubjectAndStaysOpen()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.SendAsync("SUB foo..bar 1\r\n", ct);

        await raw.ExpectLineAsync("^-ERR 'Invalid Subject'$", cancellationToken: ct);
        await raw.SendAsync("PING\r\n", ct);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
        await Serving.AssertServesAsync(Server, ct);
    }

    [Fact]
    public async Task Sub_FullWildcardNotLast_InvalidSubjectAndStaysOpen()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.SendAsync("SUB foo.>.bar 1\r\n", ct);

        await raw.ExpectLineAsync("^-ERR 'Invalid Subject'$", cancellationToken: ct);
        await raw.SendAsync("SUB foo.ok 2\r\nPUB foo.ok 1\r\nk\r\nPING\r\n", ct);
        Assert.Equal(new RawMessage("foo.ok", "2", null, "k"), await raw.ReadMsgAsync(cancellationToken: ct));
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
        await Serving.AssertServesAsync(Server, ct);
    }

    [Fact]
    public async Task UnknownVerb_UnknownProtocolOperationAndClose()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.SendAsync("FOO bar\r\n", ct);

        await raw.ExpectLineAsync("^-ERR 'Unknown Protocol Operation'$", cancellationToken: ct);
        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
        await Serving.AssertServesAsync(Server, ct);
    }

    [Fact]
    public async Task ClientSendsMsgVerb_UnknownProtocolOperationAndClose()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.SendAsync("MSG foo 1 2\r\nhi\r\n", ct);

        await raw.ExpectLineAsync("^-ERR 'Unknown Protocol Operation'$", cancellationToken: ct);
        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
        await Serving.AssertServesAsync(Server, ct);
    }

    [Fact]
    public async Task ControlLine_OverLimit_MaximumControlLineExceededAndClose()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        // The default max_control_line is 4096; the server may close before reading it all.
        await raw.TrySendAsync("SUB " + new string('s', 10_000) + " 1\r\n", ct);

        await raw.WaitForLineAsync("^-ERR 'maximum control line exceeded'$", cancellationToken: ct);
        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
        await Serving.AssertServesAsync(Server, ct);
    }

    [Fact]
    public async Task Pub_GarbledSize_ClosedWhileOthersServed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.TrySendAsync("PUB foo x2\r\nhi\r\n", ct);

        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
        await Serving.AssertServesAsync(Server, ct);
    }

    [Fact]
    public async Task Payload_NotFollowedByCrlf_ClosedWhileOthersServed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.TrySendAsync("PUB foo 2\r\nhiXX\r\n", ct);

        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
        await Serving.AssertServesAsync(Server, ct);
    }
}
