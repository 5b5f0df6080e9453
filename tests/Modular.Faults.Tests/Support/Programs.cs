namespace Modular.Faults.Tests.Support;

/// <summary>The servers a scenario runs on: modular, and nats-server 2.10 as the reference from the same code.</summary>
public static class Programs
{
    public const string Modular = "modular";

    public const string NatsServer210 = "nats-server-2.10";

    public static TheoryData<string> ModularAndReference => new() { Modular, NatsServer210 };

    public static NodeProgram Named(string name) => name switch
    {
        Modular => NodeProgram.Modular,
        NatsServer210 => NodeProgram.NatsServer210,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown program"),
    };

    /// <summary>Modular runs in-process unless the scenario needs a process; a reference server always is one.</summary>
    public static NodeBackend BackendFor(NodeProgram program, NodeBackend modular) =>
        program.Flavor == NodeFlavor.Modular ? modular : NodeBackend.Process;
}
