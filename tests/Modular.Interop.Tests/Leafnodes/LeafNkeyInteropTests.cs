using System.Text;
using System.Text.Json;
using Modular.Testing;
using NATS.NKeys;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// Leaf logins with user nkeys: the hub's INFO carries a nonce, the leaf's CONNECT names its public key
/// (<c>nkey</c>) and the nonce signed with its seed (<c>sig</c>). The leaf takes its seed from a
/// <c>credentials</c> file or a remote's <c>nkey</c>; the hub (Modular's [leafnodes.authorization]
/// nkey users, nats-server 2.10's nkey users of the account) checks the signature and binds the account.
/// </summary>
public sealed class LeafNkeyInteropTests
{
    private static NodeProgram Program(string name) => name == "nats-2.10" ? NodeProgram.NatsServer210 : NodeProgram.Modular;

    /// <summary>A creds file of a bare nkey user: only the seed block (no JWT).</summary>
    private static string WriteCreds(string seed)
    {
        var path = Path.Combine(Path.GetTempPath(), $"modular-leaf-{Guid.NewGuid():N}.creds");
        File.WriteAllText(path, $"-----BEGIN USER NKEY SEED-----\n{seed}\n------END USER NKEY SEED------\n");
        return path;
    }

    private static ConfigBuilder Leaf(int leafPort, string how, string seed)
    {
        var leaf = LeafPair.WithAccounts(new ConfigBuilder { Name = "leaf", ClusterName = null }).LeafRemote("A", ConfigBuilder.LeafUrl(leafPort));
        return how == "creds" ? leaf with { LeafCredentials = WriteCreds(seed) } : leaf with { LeafNkeySeed = seed };
    }

    [Theory]
    [InlineData("nats-2.10", "modular", "creds")]
    [InlineData("nats-2.10", "modular", "nkey")]
    [InlineData("modular", "nats-2.10", "nkey")]
    [InlineData("modular", "modular", "creds")]
    public async Task NkeyLeafLogin_SignedNonce_BoundToItsAccount_BothWays(string hubProgram, string leafProgram, string how)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        using var user = KeyPair.CreatePair(PrefixByte.User);
        var leafPort = FreePort.Next();
        await using var nodes = new TestCluster();
        var hub = await nodes.AddAsync(Program(hubProgram), LeafPair.WithAccounts(new ConfigBuilder { Name = "hub", ClusterName = null }).LeafListen(leafPort).LeafNkeyUser(user.GetPublicKey(), "A"), cancellationToken: ct);
        var leafNode = await nodes.AddAsync(Program(leafProgram), Leaf(leafPort, how, user.GetSeed()), cancellationToken: ct);

        await using var onHub = await Clients.ConnectAsync(hub, ct, "a", LeafPair.Password);
        await using var onLeaf = await Clients.ConnectAsync(leafNode, ct, "a", LeafPair.Password);
        await LeafPair.AssertCrossesBothWaysAsync(onHub, onLeaf, "leaf.nkey", ct);
    }

    [Theory]
    [InlineData("nats-2.10", "modular", "creds")]
    [InlineData("modular", "nats-2.10", "nkey")]
    [InlineData("modular", "modular", "nkey")]
    public async Task NkeyLeafLogin_WrongSeed_Refused(string hubProgram, string leafProgram, string how)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        using var user = KeyPair.CreatePair(PrefixByte.User);
        using var other = KeyPair.CreatePair(PrefixByte.User);
        var leafPort = FreePort.Next();
        await using var nodes = new TestCluster();
        var hub = await nodes.AddAsync(Program(hubProgram), LeafPair.WithAccounts(new ConfigBuilder { Name = "hub", ClusterName = null }).LeafListen(leafPort).LeafNkeyUser(user.GetPublicKey(), "A"), cancellationToken: ct);
        var leafNode = await nodes.AddAsync(Program(leafProgram), Leaf(leafPort, how, other.GetSeed()), cancellationToken: ct);
        await Wait.Until(() => leafNode.Output.Contains("Authorization Violation"), TimeSpan.FromSeconds(30), "the leaf hears -ERR 'Authorization Violation'");
        using var leafz = await MonitorEndpoints.GetJsonAsync(hub, "/leafz", ct);
        Assert.Equal(0, leafz.RootElement.GetProperty("leafnodes").GetInt32());
    }

    /// <summary>The hub's nonce, signed right (the hub sends its interest) or not (-ERR, closed): the hub checks the signature, not only the key.</summary>
    [Theory]
    [InlineData("modular", true)]
    [InlineData("modular", false)]
    [InlineData("nats-2.10", true)]
    [InlineData("nats-2.10", false)]
    public async Task NkeyLeafLogin_OnTheWire_SignatureChecked(string hubProgram, bool signRight)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        using var user = KeyPair.CreatePair(PrefixByte.User);
        var leafPort = FreePort.Next();
        await using var node = await Node.StartAsync(
            LeafPair.WithAccounts(new ConfigBuilder { Name = "hub", ClusterName = null }).LeafListen(leafPort).LeafNkeyUser(user.GetPublicKey(), "A"),
            program: Program(hubProgram),
            cancellationToken: ct);
        await using var raw = await RawConnection.ConnectAsync(leafPort, "leaf", cancellationToken: ct);
        var info = await raw.ExpectLineAsync(@"^INFO (\{.*\})\s*$", cancellationToken: ct);
        var nonce = JsonDocument.Parse(info.Groups[1].Value).RootElement.GetProperty("nonce").GetString()!;
        var signature = new byte[64];
        user.Sign(Encoding.UTF8.GetBytes(signRight ? nonce : nonce + "x"), signature);
        var sig = Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await raw.SendAsync(Encoding.UTF8.GetBytes($"CONNECT {{\"server_id\":\"X\",\"name\":\"x\",\"nkey\":\"{user.GetPublicKey()}\",\"sig\":\"{sig}\",\"headers\":true}}\r\n"), ct);
        if (signRight)
        {
            await raw.WaitForLineAsync(@"^LS\+ \$LDS\.", cancellationToken: ct);
        }
        else
        {
            await raw.WaitForLineAsync("^-ERR 'Authorization Violation'$", cancellationToken: ct);
            Assert.True(await raw.WaitForCloseAsync(cancellationToken: ct), "the connection stays open after a refused login");
        }
    }
}
