using Modular.Testing;

namespace Modular.Interop.Tests.Gateways;

/// <summary>
/// Gateway authorization with nats-server 2.10 (its <c>gateway { authorization { user, password } }</c>;
/// Modular's [gateway.auth] with bcrypt): each side checks the other's CONNECT, sent from the user:password
/// of the gateway URL or, dialing back a cluster it learned, from its own authorization; a wrong
/// password is refused with <c>-ERR 'Authorization Violation'</c> whoever dials.
/// </summary>
public sealed class GatewayAuthInteropTests
{
    private const string User = "gwuser";
    private const string Password = "gw-secret";

    [Theory]
    [InlineData(SuperCluster.GatewayDialing.AOnly)]
    [InlineData(SuperCluster.GatewayDialing.BOnly)]
    public async Task BothRequireAuth_ModularAndNatsServer_MessagesCrossBothWays(SuperCluster.GatewayDialing dialing)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync(
            [NodeProgram.Modular],
            [NodeProgram.NatsServer210],
            dialing,
            adjust: (_, _, spec) => spec with { GatewayAuth = (User, Password), GatewayUrlCredentials = (User, Password) },
            cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);
        await super.AssertEveryMessageReachesEverySubscriberOnceAsync(ct);
    }

    [Theory]
    [InlineData("modular", "nats")]
    [InlineData("nats", "modular")]
    public async Task WrongPassword_Refused(string dialer, string accepter)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var nodes = new TestCluster();
        var accepterPort = FreePort.Next();
        var accepting = await nodes.AddAsync(Program(accepter), new ConfigBuilder { Name = "b1", GatewayAuth = (User, Password) }.Cluster("B").Gateway("B", accepterPort), cancellationToken: ct);
        var dialing = await nodes.AddAsync(
            Program(dialer),
            new ConfigBuilder { Name = "a1", GatewayUrlCredentials = (User, "not-" + Password) }.Cluster("A").Gateway("A", FreePort.Next()).GatewayTo("B", accepterPort),
            cancellationToken: ct);

        // Modular logs the -ERR it received or the failure it refused; nats-server logs "authentication
        // error" when it refuses and the -ERR 'Authorization Violation' when it is refused.
        var expected = dialer == "modular" ? "Gateway Error 'Authorization Violation'" : "Gateway authorization failed for A";
        var modular = dialer == "modular" ? dialing : accepting;
        var nats = dialer == "modular" ? accepting : dialing;
        await Wait.Until(() => modular.OutputContains(expected), TimeSpan.FromSeconds(20), $"the refusal in {modular.Name}'s log\n{dialing.Describe()}\n{accepting.Describe()}");
        var natsExpected = dialer == "modular" ? "authentication error" : "Authorization Violation";
        await Wait.Until(() => nats.OutputContains(natsExpected), TimeSpan.FromSeconds(20), $"the refusal in {nats.Name}'s log\n{nats.Describe()}");

        await using var publisher = await Clients.ConnectAsync(dialing, ct);
        await using var subscriber = await Clients.ConnectAsync(accepting, ct);
        await Assert.ThrowsAsync<TimeoutException>(() => Propagation.AwaitInterestAsync(publisher, subscriber, ct, TimeSpan.FromSeconds(3)));
    }

    private static NodeProgram Program(string name) => name == "nats" ? NodeProgram.NatsServer210 : NodeProgram.Modular;
}
