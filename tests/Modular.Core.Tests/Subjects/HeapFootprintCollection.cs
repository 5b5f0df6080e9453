namespace Modular.Core.Tests.Subjects;

/// <summary>
/// Tests that read the whole heap (GC.GetTotalMemory) around what they measure: they run alone,
/// after the parallel tests, so no other test's objects are counted against them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapFootprintCollection
{
    public const string Name = "Heap footprint";
}
