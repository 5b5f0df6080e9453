namespace Modular.Core.Subjects;

/// <summary>
/// Compares trie tokens kept as slices of a subscription's subject (no array per token) by
/// content, and finds them by a <see cref="ReadOnlySpan{T}"/> taken from a published subject.
/// </summary>
internal sealed class SubjectTokenComparer :
    IEqualityComparer<ReadOnlyMemory<byte>>,
    IAlternateEqualityComparer<ReadOnlySpan<byte>, ReadOnlyMemory<byte>>
{
    public static readonly SubjectTokenComparer Instance = new();

    private SubjectTokenComparer()
    {
    }

    public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

    public int GetHashCode(ReadOnlyMemory<byte> obj) => Hash(obj.Span);

    public bool Equals(ReadOnlySpan<byte> alternate, ReadOnlyMemory<byte> other) => alternate.SequenceEqual(other.Span);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

    public ReadOnlyMemory<byte> Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    // HashCode is seeded per process, so crafted subjects cannot aim at one bucket across runs.
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }
}
