namespace Modular.Testing;

/// <summary>The three loopback ports of one node, chosen before any node starts so routes can name them.</summary>
public sealed record NodePorts(int Client, int Monitor, int Cluster)
{
    public static NodePorts Allocate() => new(FreePort.Next(), FreePort.Next(), FreePort.Next());
}
