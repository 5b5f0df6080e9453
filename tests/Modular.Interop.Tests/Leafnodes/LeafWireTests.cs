using Modular.Testing;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// The accepting side of a leaf connection on the wire, Modular beside nats-server 2.10: the INFO a
/// leaf expects (client_id, leafnode_urls), refused logins, a client on the leaf port, and the
/// interest a hub sends once the CONNECT is accepted (with its own loop-detection subject).
/// </summary>
public sealed class LeafWireTests
{
    public static TheoryData<string> Hubs() => new() { "modular", "nats-2.10" };

    private static NodeProgram Program(string name) => name == "nats-2.10" ? NodeProgram.NatsServer210 : NodeProgram.Modular;

    [Theory]
    [MemberData(nameof(Hubs))]
    public async Task LeafPort_WrongPassword_AuthorizationViolation(string hub)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        var leafPort = FreePort.Next();
        await using var node = await Node.StartAsync(LeafPair.HubConfig(leafPort), program: Program(hub), cancellationToken: ct);
        await using var raw = await RawConnection.ConnectAsync(leafPort, "leaf", cancellationToken: ct);
        var info = await raw.ExpectLineAsync(@"^INFO (\{.*\})\s*$", cancellationToken: ct);
        Assert.Matches("\"client_id\":[1-9]", info.Groups[1].Value);
        Assert.Matches("\"leafnode_urls\":\\[\"", info.Groups[1].Value);

        await raw.SendAsync("CONNECT {\"server_id\":\"X\",\"name\":\"x\",\"user\":\"leafA\",\"pass\":\"wrong\"}\r\n"u8.ToArray(), ct);
        await raw.WaitForLineAsync("^-ERR 'Authorization Violation'$", cancellationToken: ct);
        Assert.True(await raw.WaitForCloseAsync(cancellationToken: ct), "the connection stays open after a refused login");
    }

    [Theory]
    [MemberData(nameof(Hubs))]
    public async Task LeafPort_GoodLogin_HubSendsItsLoopDetectionSubjectAndItsInterest(string hub)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        var leafPort = FreePort.Next();
        await using var node = await Node.StartAsync(LeafPair.HubConfig(leafPort), program: Program(hub), cancellationToken: ct);
        await using var client = await Clients.ConnectAsync(node, ct, "a", LeafPair.Password);
        await using var sub = await client.SubscribeCoreAsync<int>("wire.interest", cancellationToken: ct);
        await client.PingAsync(ct);

        await using var raw = await RawConnection.ConnectAsync(leafPort, "leaf", cancellationToken: ct);
        await raw.ExpectLineAsync("^INFO ", cancellationToken: ct);
        await raw.SendAsync("CONNECT {\"server_id\":\"X\",\"name\":\"x\",\"user\":\"leafA\",\"pass\":\"pw\",\"headers\":true}\r\n"u8.ToArray(), ct);
        // In any order: the hub's loop-detection subject and the subscriber's interest.
        var seen = new List<string>();
        while (!(seen.Any(l => l.StartsWith("LS+ $LDS.", StringComparison.Ordinal)) && seen.Contains("LS+ wire.interest")))
        {
            var line = await raw.ReadLineAsync(cancellationToken: ct);
            Assert.True(line is not null, "the hub sent no more lines; got: " + string.Join(" | ", seen));
            seen.Add(line!.TrimEnd());
        }

        // A message for that interest goes to the subscriber in account A.
        await raw.SendAsync("LMSG wire.interest 2\r\nhi\r\n"u8.ToArray(), ct);
        var message = await sub.Msgs.ReadAsync(ct);
        Assert.Equal("wire.interest", message.Subject);
    }
}
