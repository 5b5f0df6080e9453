using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// A remote's deny_imports and deny_exports (nats-server's leafnode remote permissions): the leaf
/// sends no message on an exported-denied subject to the hub, and takes none on an imported-denied
/// one (it announces no interest in it, and its CONNECT names it in deny_pub). Other subjects cross.
/// </summary>
public sealed class LeafPermissionsInteropTests
{
    private static NodeProgram Program(string name) => name == "nats-2.10" ? NodeProgram.NatsServer210 : NodeProgram.Modular;

    [Theory]
    [InlineData("modular", "modular")]
    [InlineData("nats-2.10", "modular")]
    [InlineData("modular", "nats-2.10")]
    public async Task DenyImportsAndExports_DeniedSubjectsDoNotCrossOthersDo(string hub, string leaf)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var leafPort = FreePort.Next();
        await using var nodes = new TestCluster();
        var hubNode = await nodes.AddAsync(Program(hub), LeafPair.HubConfig(leafPort), cancellationToken: ct);
        var leafNode = await nodes.AddAsync(Program(leaf), LeafPair.LeafConfig(leafPort) with { LeafDenyImports = ["private.>"], LeafDenyExports = ["secret.>"] }, cancellationToken: ct);
        await using var onHub = await Clients.ConnectAsync(hubNode, ct, "a", LeafPair.Password);
        await using var onLeaf = await Clients.ConnectAsync(leafNode, ct, "a", LeafPair.Password);

        // Exports: leaf → hub.
        await AssertCrossesAsync(onLeaf, onHub, "public.out", "secret.out", ct);
        // Imports: hub → leaf.
        await AssertCrossesAsync(onHub, onLeaf, "public.in", "private.in", ct);
    }

    private static async Task AssertCrossesAsync(NatsConnection from, NatsConnection to, string allowed, string denied, CancellationToken ct)
    {
        var suffix = "." + Guid.NewGuid().ToString("N");
        await using var allowedSub = await to.SubscribeCoreAsync<int>(allowed + suffix, cancellationToken: ct);
        await using var deniedSub = await to.SubscribeCoreAsync<int>(denied + suffix, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(from, to, ct, TimeSpan.FromSeconds(40));
        // The allowed subject's interest crossed; the denied one's was sent (or not) at the same time.
        await Propagation.BarrierAsync(from, to, ct);
        for (var i = 0; i < 5; i++)
        {
            await from.PublishAsync(denied + suffix, i, cancellationToken: ct);
            await from.PublishAsync(allowed + suffix, i, cancellationToken: ct);
        }

        await Propagation.BarrierAsync(from, to, ct);
        Assert.Equal(Enumerable.Range(0, 5), Clients.Drain(allowedSub).Select(m => m.Data));
        Assert.Empty(Clients.Drain(deniedSub));
    }
}
