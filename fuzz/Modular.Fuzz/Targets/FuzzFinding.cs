namespace Modular.Fuzz.Targets;

/// <summary>A broken invariant (not an exception the code under test threw): a finding too.</summary>
public sealed class FuzzFinding(string message) : Exception(message);
