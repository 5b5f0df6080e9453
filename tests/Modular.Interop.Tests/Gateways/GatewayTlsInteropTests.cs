using Modular.Testing;
using Modular.Testing.Secure;

namespace Modular.Interop.Tests.Gateways;

/// <summary>Gateways with TLS from the first byte ([gateway.tls] through the tls plugin), mutual verification, with nats-server 2.10.</summary>
public sealed class GatewayTlsInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modular-gw-tls-").FullName;
    private readonly DevCertificates _ca = DevCertificates.CreateAuthority("Gateway CA");

    [Theory]
    [InlineData(SuperCluster.GatewayDialing.AOnly)]
    [InlineData(SuperCluster.GatewayDialing.BOnly)]
    public async Task TlsGateways_ModularAndNatsServer_MessagesCrossBothWays(SuperCluster.GatewayDialing dialing)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync(
            [NodeProgram.Modular],
            [NodeProgram.NatsServer210],
            dialing,
            adjust: (cluster, index, spec) => spec with { GatewayTls = _ca.WriteServer(_dir, $"{cluster}{index}") },
            cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);
        // nats-server with gateway TLS takes nothing in plain text: messages crossing at all means both sides spoke TLS.
        await super.AssertEveryMessageReachesEverySubscriberOnceAsync(ct);
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
