using System.Text.Json;
using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.Protocol;

/// <summary>Well-formed client protocol over a raw socket: the exact bytes the server answers with.</summary>
public sealed class RawProtocolTests(PlainServer fixture) : IClassFixture<PlainServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Info_OnConnect_HasRequiredFields()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var raw = await RawConnection.OpenClientAsync(Server, timeout.Token);

        using var info = raw.ParseInfo();
        var root = info.RootElement;

        Assert.Equal(JsonValueKind.String, root.GetProperty("server_id").ValueKind);
        Assert.False(string.IsNullOrEmpty(root.GetProperty("server_id").GetString()));
        Assert.Equal("e2e-plain", root.GetProperty("server_name").GetString());
        Assert.Equal(JsonValueKind.String, root.GetProperty("version").ValueKind);
        Assert.Equal(1, root.GetProperty("proto").GetInt32());
        Assert.Equal(JsonValueKind.True, root.GetProperty("headers").ValueKind);
        Assert.Equal(1024 * 1024, root.GetProperty("max_payload").GetInt32());
        Assert.Equal(Server.ClientPort, root.GetProperty("port").GetInt32());
        Assert.False(root.TryGetProperty("auth_required", out var auth) && auth.ValueKind == JsonValueKind.True, "auth_required on a server without accounts");
    }

    [Fact]
    public async Task Ping_AfterConnect_Pong()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);

        await raw.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPING\r\n", ct);

        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Operations_LowerCaseAndTabs_Accepted()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);

        await raw.SendAsync("connect {\"verbose\":false}\r\nsub\tlower.case\t5\r\npub lower.case  3\r\nabc\r\nping\r\n", ct);

        var message = await raw.ReadMsgAsync(cancellationToken: ct);
        Assert.Equal(new RawMessage("lower.case", "5", null, "abc"), message);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Verbose_EveryOperation_PlusOk()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);

        await raw.SendAsync("CONNECT {\"verbose\":true,\"pedantic\":false}\r\n", ct);
        await raw.ExpectLineAsync(@"^\+OK$", cancellationToken: ct);
        await raw.SendAsync("SUB verbose.a 1\r\n", ct);
        await raw.ExpectLineAsync(@"^\+OK$", cancellationToken: ct);
        await raw.SendAsync("PUB verbose.nobody 2\r\nhi\r\n", ct);
        await raw.ExpectLineAsync(@"^\+OK$", cancellationToken: ct);
        await raw.SendAsync("UNSUB 1\r\n", ct);
        await raw.ExpectLineAsync(@"^\+OK$", cancellationToken: ct);
        await raw.SendAsync("PING\r\n", ct);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Publish_WithReply_MsgCarriesReplySubject()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.SendAsync("SUB ask.me 9\r\nPUB ask.me reply.here 5\r\nhello\r\nPING\r\n", ct);

        Assert.Equal(new RawMessage("ask.me", "9", "reply.here", "hello"), await raw.ReadMsgAsync(cancellationToken: ct));
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Publish_EmptyPayload_MsgWithZeroSize()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.SendAsync("SUB empty.one 2\r\nPUB empty.one 0\r\n\r\nPING\r\n", ct);

        Assert.Equal(new RawMessage("empty.one", "2", null, ""), await raw.ReadMsgAsync(cancellationToken: ct));
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Publish_SplitAcrossWrites_Reassembled()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);
        await raw.SendAsync("SUB split.up 3\r\nPING\r\n", ct);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);

        foreach (var piece in new[] { "P", "UB spl", "it.up 1", "1\r", "\nhello", " world\r", "\n" })
        {
            await raw.SendAsync(piece, ct);
        }

        await raw.SendAsync("PING\r\n", ct);
        Assert.Equal(new RawMessage("split.up", "3", null, "hello world"), await raw.ReadMsgAsync(cancellationToken: ct));
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Headers_HpubToHeadersClient_HmsgWithSameBytes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, """{"verbose":false,"pedantic":false,"headers":true}""", answerPings: false, ct);
        const string headers = "NATS/1.0\r\nA: b\r\n\r\n";

        await raw.SendAsync($"SUB h.raw 4\r\nHPUB h.raw {headers.Length} {headers.Length + 3}\r\n{headers}xyz\r\nPING\r\n", ct);

        await raw.ExpectLineAsync($"^HMSG h.raw 4 {headers.Length} {headers.Length + 3}$", cancellationToken: ct);
        var body = await raw.ReadBytesAsync(headers.Length + 3 + 2, RawConnection.DefaultTimeout, ct);
        Assert.NotNull(body);
        Assert.Equal(headers + "xyz\r\n", System.Text.Encoding.ASCII.GetString(body));
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }
}
