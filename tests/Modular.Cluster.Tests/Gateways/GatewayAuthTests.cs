using Modular.Testing;

namespace Modular.Cluster.Tests.Gateways;

/// <summary>
/// Gateway authorization ([gateway.auth] with bcrypt; nats-server's gateway authorization): the
/// accepting server checks the CONNECT's user and password and refuses a wrong one with
/// <c>-ERR 'Authorization Violation'</c>; a dialing server sends the user:password of the gateway
/// URL, or, for a cluster it learned (no URL of its own), the table's plain password.
/// </summary>
public sealed class GatewayAuthTests
{
    /// <summary>bcrypt (cost 6) of <see cref="Password"/>, made with <c>modular passwd --cost 6</c>.</summary>
    private const string Hash = Secure.SecureClusterTests.RouteHash;
    private const string Password = Secure.SecureClusterTests.RoutePassword;
    private const string User = "gwuser";

    [Theory]
    [InlineData("right", null)]
    [InlineData("Wr0ng-Secret", "-ERR 'Authorization Violation'")]
    [InlineData(null, "-ERR 'Authorization Violation'")]
    public async Task Connect_PasswordChecked_WrongOrMissingRefusedWithAuthorizationViolation(string? password, string? refusal)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var port = FreePort.Next();
        await using var node = await Node.StartAsync(new ConfigBuilder { Name = "b1", GatewayAuth = (User, Hash) }.Cluster("B").Gateway("B", port), cancellationToken: ct);
        await using var peer = await RawConnection.DialGatewayAsync(port, "FAKEA1", node.Name, ct);
        Assert.Contains("\"auth_required\":true", peer.InfoJson, StringComparison.Ordinal);

        await peer.SendGatewayConnectAsync("A", password is null ? null : User, password == "right" ? Password : password, ct);
        await peer.SendGatewayInfoAsync("A", cancellationToken: ct);
        if (refusal is null)
        {
            // Registered: the account's interest-only switch (gateway_cmd 2) comes, no -ERR.
            var (_, skipped) = await peer.WaitForLineAsync("\"gateway_cmd\":2", TimeSpan.FromSeconds(10), ct);
            Assert.DoesNotContain(skipped, line => line.StartsWith("-ERR", StringComparison.Ordinal));
        }
        else
        {
            await peer.WaitForLineAsync("^" + System.Text.RegularExpressions.Regex.Escape(refusal) + "$", TimeSpan.FromSeconds(10), ct);
            Assert.True(await peer.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), "the refused gateway must be closed");
            Assert.True(node.OutputContains("Gateway authorization failed for A (user " + (password is null ? "" : User) + ")"), node.Describe());
            Assert.False(node.OutputContains(password ?? "\u0000never"), "the log must not show the password");
        }
    }

    [Theory]
    [InlineData(SuperCluster.GatewayDialing.Both, Hash)]
    [InlineData(SuperCluster.GatewayDialing.AOnly, Password)]
    public async Task SuperCluster_BothClustersRequireAuth_GatewaysFormAndMessagesCross(SuperCluster.GatewayDialing dialing, string stored)
    {
        // AOnly with a plain stored password: B dials A back on a URL it learned (no user:password),
        // sending [gateway.auth]'s own user and password, as nats-server does.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync(
            [NodeProgram.Modular],
            [NodeProgram.Modular],
            dialing,
            adjust: (_, _, spec) => spec with { GatewayAuth = (User, stored), GatewayUrlCredentials = (User, Password) },
            cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);
        await super.AssertEveryMessageReachesEverySubscriberOnceAsync(ct);
        Assert.False(super.A[0].OutputContains("Authorization Violation"), super.Describe());
        Assert.False(super.B[0].OutputContains("Authorization Violation"), super.Describe());
    }

    [Fact]
    public async Task SuperCluster_DialerSendsWrongPassword_NoGatewayAndRefusalLoggedOnBothSides()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync(
            [NodeProgram.Modular],
            [NodeProgram.Modular],
            SuperCluster.GatewayDialing.AOnly,
            adjust: (cluster, _, spec) => cluster == "B" ? spec with { GatewayAuth = (User, Hash) } : spec with { GatewayUrlCredentials = (User, "not-" + Password) },
            cancellationToken: ct);
        var a = super.A[0];
        var b = super.B[0];
        await Wait.Until(() => a.OutputContains("Gateway Error 'Authorization Violation'"), TimeSpan.FromSeconds(20), $"the refusal in a1's log\n{super.Describe()}");
        Assert.True(b.OutputContains("Gateway authorization failed for A"), super.Describe());
        Assert.Empty(a.Embedded!.Gateways!.GetOutbound());
        Assert.Empty(b.Embedded!.Gateways!.GetInbound());
    }
}
