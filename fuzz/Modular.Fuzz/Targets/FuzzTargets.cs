namespace Modular.Fuzz.Targets;

/// <summary>
/// Every target, by name. Targets are made by the first execution, inside SharpFuzz's loop:
/// instrumented code (any constructor of a type under test) must not run before the loop has
/// set up afl's coverage map.
/// </summary>
public static class FuzzTargets
{
    private static readonly (string Name, Func<IFuzzTarget> Create)[] All =
    [
        ("client", () => new ClientProtocolTarget()),
        ("route", () => new RouteProtocolTarget()),
        ("json", () => new JsonTarget()),
        ("s2-block", () => new S2BlockTarget()),
        ("s2-stream", () => new S2StreamTarget()),
        ("config", () => new ConfigTarget()),
    ];

    public static IEnumerable<string> Names => All.Select(t => t.Name);

    public static Func<IFuzzTarget>? Find(string name) => All.FirstOrDefault(t => t.Name == name).Create;
}
