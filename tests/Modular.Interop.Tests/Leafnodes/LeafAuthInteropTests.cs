using Modular.Testing;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// Leaf logins through the auth seam ([leafnodes.auth] with bcrypt): the hub checks the CONNECT's
/// user and password against a bcrypt hash and binds the login's account; a wrong password is
/// refused with nats-server's -ERR. Leaf nodes are nats-server 2.10 and Modular.
/// </summary>
public sealed class LeafAuthInteropTests
{
    /// <summary>bcrypt (cost 6) of <see cref="Password"/>, made with <c>modular passwd --cost 6</c>.</summary>
    private const string Hash = "$2a$06$9gHufZjKgzo907DhZgQE4O.uhwJJXl.IdQLayt6y.btLCPOBsxjni";
    private const string Password = "route-pw";

    private static NodeProgram Program(string name) => name == "nats-2.10" ? NodeProgram.NatsServer210 : NodeProgram.Modular;

    private static ConfigBuilder HubConfig(int leafPort) =>
        LeafPair.WithAccounts(new ConfigBuilder { Name = "hub", ClusterName = null }).LeafListen(leafPort).Plugin("bcrypt")
            .Append($"[leafnodes.auth]\nuse = \"bcrypt\"\nuser = \"leafA\"\npassword = \"{Hash}\"\naccount = \"A\"\n");

    [Theory]
    [InlineData("modular")]
    [InlineData("nats-2.10")]
    public async Task BcryptLeafLogin_RightPassword_BoundToItsAccount(string leaf)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var leafPort = FreePort.Next();
        await using var nodes = new TestCluster();
        var hub = await nodes.AddAsync(NodeProgram.Modular, HubConfig(leafPort), cancellationToken: ct);
        var leafNode = await nodes.AddAsync(Program(leaf), LeafPair.WithAccounts(new ConfigBuilder { Name = "leaf", ClusterName = null }).LeafRemote("A", ConfigBuilder.LeafUrl(leafPort, "leafA", Password)), cancellationToken: ct);

        await using var onHub = await Clients.ConnectAsync(hub, ct, "a", LeafPair.Password);
        await using var onLeaf = await Clients.ConnectAsync(leafNode, ct, "a", LeafPair.Password);
        var subject = "leaf.auth." + Guid.NewGuid().ToString("N");
        await using var sub = await onLeaf.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onHub, onLeaf, ct, TimeSpan.FromSeconds(40));
        await onHub.PublishAsync(subject, 7, cancellationToken: ct);
        await Propagation.BarrierAsync(onHub, onLeaf, ct);
        Assert.Equal([7], Clients.Drain(sub).Select(m => m.Data));
    }

    [Theory]
    [InlineData("modular")]
    [InlineData("nats-2.10")]
    public async Task BcryptLeafLogin_WrongPassword_Refused(string leaf)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var leafPort = FreePort.Next();
        await using var nodes = new TestCluster();
        var hub = await nodes.AddAsync(NodeProgram.Modular, HubConfig(leafPort), cancellationToken: ct);
        var leafNode = await nodes.AddAsync(Program(leaf), LeafPair.WithAccounts(new ConfigBuilder { Name = "leaf", ClusterName = null }).LeafRemote("A", ConfigBuilder.LeafUrl(leafPort, "leafA", "not-" + Password)), cancellationToken: ct);
        await Wait.Until(() => hub.Output.Contains("Leafnode authentication failed for user leafA"), TimeSpan.FromSeconds(30), "the hub refuses the wrong password");
        await Wait.Until(() => leafNode.Output.Contains("Authorization Violation"), TimeSpan.FromSeconds(30), "the leaf hears -ERR 'Authorization Violation'");
        using var leafz = await MonitorEndpoints.GetJsonAsync(hub, "/leafz", ct);
        Assert.Equal(0, leafz.RootElement.GetProperty("leafnodes").GetInt32());
    }
}
