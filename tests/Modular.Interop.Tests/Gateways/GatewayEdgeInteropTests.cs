using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Interop.Tests.Gateways;

/// <summary>
/// The edges of a super-cluster with nats-server 2.10: accounts stay apart across gateways, a
/// gateway that reaches a cluster of another name is refused in both dialing directions, and a
/// restarted cluster re-forms the super-cluster.
/// </summary>
public sealed class GatewayEdgeInteropTests
{
    public static readonly (string User, string Password) UserA = ("ua", "pa");
    public static readonly (string User, string Password) UserB = ("ub", "pb");

    [Theory]
    [InlineData("modular,nats|nats,modular")]
    [InlineData("modular|modular")]
    public async Task Accounts_SameSubjectInTwoAccounts_CrossesTheGatewayOnlyInItsOwnAccount(string layout)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var (a, b) = GatewayInteropTests.Parse(layout);
        await using var super = await SuperCluster.StartAsync(a, b, adjust: (_, _, spec) => spec.Account("ACC_A", UserA).Account("ACC_B", UserB), cancellationToken: ct);
        var subject = "iso." + Guid.NewGuid().ToString("N");
        foreach (var (from, to) in super.A.SelectMany(x => super.B.Select(y => (x, y))).Concat(super.B.SelectMany(y => super.A.Select(x => (y, x)))))
        {
            await using var pubA = await Clients.ConnectAsync(from, ct, UserA.User, UserA.Password);
            await using var pubB = await Clients.ConnectAsync(from, ct, UserB.User, UserB.Password);
            await using var subConnA = await Clients.ConnectAsync(to, ct, UserA.User, UserA.Password);
            await using var subConnB = await Clients.ConnectAsync(to, ct, UserB.User, UserB.Password);
            await using var subA = await subConnA.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
            await using var subB = await subConnB.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
            await Propagation.AwaitInterestAsync(pubA, subConnA, ct);
            await Propagation.AwaitInterestAsync(pubB, subConnB, ct);
            await pubA.PublishAsync(subject, "from-a", cancellationToken: ct);
            await pubB.PublishAsync(subject, "from-b", cancellationToken: ct);
            await Propagation.BarrierAsync(pubA, subConnA, ct);
            await Propagation.BarrierAsync(pubB, subConnB, ct);
            await Propagation.BarrierAsync(pubA, subConnB, ct, TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default);
            Assert.Equal(["from-a"], Clients.Drain(subA).Select(m => m.Data!).ToArray());
            Assert.Equal(["from-b"], Clients.Drain(subB).Select(m => m.Data!).ToArray());
        }
    }

    [Theory]
    [InlineData("modular", "nats")]
    [InlineData("nats", "modular")]
    [InlineData("modular", "modular")]
    public async Task WrongName_GatewayReachesAClusterOfAnotherName_Refused(string dialer, string accepter)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var nodes = new TestCluster();
        var accepterPort = FreePort.Next();
        var accepting = await nodes.AddAsync(Program(accepter), new ConfigBuilder { Name = "c1" }.Cluster("C").Gateway("C", accepterPort), cancellationToken: ct);
        var dialing = await nodes.AddAsync(Program(dialer), new ConfigBuilder { Name = "a1" }.Cluster("A").Gateway("A", FreePort.Next()).GatewayTo("B", accepterPort), cancellationToken: ct);

        // Whoever is modular says why: the dialer that sees the wrong name, or the accepter that gets the dialer's -ERR.
        var modular = dialer == "modular" ? dialing : accepting;
        await Wait.Until(() => modular.OutputContains("wanted to connect to \"B\", this is \"C\""), TimeSpan.FromSeconds(20), $"the refusal in {modular.Name}'s log\n{dialing.Describe()}\n{accepting.Describe()}");

        // And nothing crosses: a message from the dialer's cluster never reaches the other.
        await using var publisher = await Clients.ConnectAsync(dialing, ct);
        await using var subscriber = await Clients.ConnectAsync(accepting, ct);
        await Assert.ThrowsAsync<TimeoutException>(() => Propagation.AwaitInterestAsync(publisher, subscriber, ct, TimeSpan.FromSeconds(3)));
        if (dialing.Embedded?.Gateways is { } gateways)
        {
            Assert.Empty(gateways.GetOutbound());
        }
    }

    [Theory]
    [InlineData("modular,nats|nats,modular")]
    [InlineData("modular|nats")]
    public async Task Restart_EveryNodeOfOneClusterRestarted_SuperClusterReforms(string layout)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var ct = timeout.Token;
        var (a, b) = GatewayInteropTests.Parse(layout);
        await using var super = await SuperCluster.StartAsync(a, b, cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);

        foreach (var node in super.B)
        {
            await node.RestartAsync(ct);
        }

        await TestCluster.WaitMeshAsync(super.B, SuperCluster.FormTimeout, ct);
        await super.WaitGatewaysAsync(ct);
        await super.AssertEveryMessageReachesEverySubscriberOnceAsync(ct);
    }

    private static NodeProgram Program(string name) => name == "nats" ? NodeProgram.NatsServer210 : NodeProgram.Modular;
}
