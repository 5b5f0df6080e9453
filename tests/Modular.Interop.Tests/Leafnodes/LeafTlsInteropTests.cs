using Modular.Testing;
using Modular.Testing.Secure;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// Leaf node TLS ([leafnodes.tls] through the tls plugin; nats-server's leafnodes { tls {} } and a
/// remote's tls {}): the hub's INFO says tls_required and is the last plaintext, the hub handshakes as
/// TLS server right after it, the leaf as TLS client once it read it, then sends its CONNECT.
/// Certificates are made for the test by a throw-away CA; both sides verify each other.
/// </summary>
public sealed class LeafTlsInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modular-leaf-tls-").FullName;
    private readonly DevCertificates _ca = DevCertificates.CreateAuthority("Leaf CA");

    private static NodeProgram Program(string name) => name == "nats-2.10" ? NodeProgram.NatsServer210 : NodeProgram.Modular;

    [Theory]
    [InlineData("modular", "nats-2.10")]
    [InlineData("nats-2.10", "modular")]
    [InlineData("modular", "modular")]
    public async Task TlsLeaf_HubAndLeaf_MessagesCrossBothWays(string hub, string leaf)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var leafPort = FreePort.Next();
        await using var nodes = new TestCluster();
        var hubNode = await nodes.AddAsync(Program(hub), LeafPair.HubConfig(leafPort) with { LeafTls = _ca.WriteServer(_dir, "hub") }, cancellationToken: ct);
        var leafNode = await nodes.AddAsync(Program(leaf), LeafPair.LeafConfig(leafPort) with { LeafTls = _ca.WriteServer(_dir, "leaf") }, cancellationToken: ct);

        // nats-server with leaf TLS takes nothing in plain text after its INFO: messages crossing means both sides spoke TLS.
        await using var onHub = await Clients.ConnectAsync(hubNode, ct, "a", LeafPair.Password);
        await using var onLeaf = await Clients.ConnectAsync(leafNode, ct, "a", LeafPair.Password);
        foreach (var (from, to, name) in new[] { (onHub, onLeaf, "hub→leaf"), (onLeaf, onHub, "leaf→hub") })
        {
            var subject = "leaf.tls." + Guid.NewGuid().ToString("N");
            await using var sub = await to.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
            await Propagation.AwaitInterestAsync(from, to, ct, TimeSpan.FromSeconds(40));
            for (var i = 0; i < 10; i++)
            {
                await from.PublishAsync(subject, i, cancellationToken: ct);
            }

            await Propagation.BarrierAsync(from, to, ct);
            var got = Clients.Drain(sub).Select(m => m.Data).ToList();
            Assert.True(got.SequenceEqual(Enumerable.Range(0, 10)), $"{name}: got [{string.Join(",", got)}]");
        }

        if (hub == "modular" && leaf == "modular")
        {
            Assert.True(leafNode.Output.Contains("TLS for [leafnodes.tls]"), "the leaf's tls plugin did not start:\n" + leafNode.Output.Tail(10));
        }
    }

    [Fact]
    public async Task PlainModularLeaf_TlsHub_RefusedWithTheReason()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var leafPort = FreePort.Next();
        await using var nodes = new TestCluster();
        await nodes.AddAsync(NodeProgram.NatsServer210, LeafPair.HubConfig(leafPort) with { LeafTls = _ca.WriteServer(_dir, "hub") }, cancellationToken: ct);
        var leafNode = await nodes.AddAsync(NodeProgram.Modular, LeafPair.LeafConfig(leafPort), cancellationToken: ct);
        await Wait.Until(() => leafNode.Output.Contains("this server has no [leafnodes.tls]"), TimeSpan.FromSeconds(30), "the leaf logs that the hub requires TLS");
    }

    public void Dispose()
    {
        _ca.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
