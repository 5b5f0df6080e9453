namespace Modular.Fuzz.Targets;

/// <summary>One fuzzed entry point (named in <see cref="FuzzTargets"/>). <see cref="Run"/> throws only on a finding.</summary>
public interface IFuzzTarget
{
    void Run(byte[] input);
}
