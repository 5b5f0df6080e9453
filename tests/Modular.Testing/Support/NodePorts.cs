namespace Modular.Testing;

/// <summary>
/// Three loopback ports chosen before a node starts. Nodes listen on port 0 and are found by the
/// ports they bound; this is only for the configs that must name a port before any node runs: a full
/// mesh where both sides list each other, a node whose config names its own port (a DNS seed listing
/// itself, an advertised address the certificates carry, a forwarder in front of it). The probe can
/// race with another bind; such tests are few and say why they need it.
/// </summary>
public sealed record NodePorts(int Client, int Monitor, int Cluster)
{
    public static NodePorts Allocate() => new(FreePort.Next(), FreePort.Next(), FreePort.Next());
}
