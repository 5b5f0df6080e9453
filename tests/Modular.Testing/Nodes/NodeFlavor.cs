namespace Modular.Testing;

/// <summary>Which server program a node runs.</summary>
public enum NodeFlavor
{
    Modular,
    NatsServer,
}
