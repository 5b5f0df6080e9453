namespace Modular.Core.Subjects;

/// <summary>
/// Compares byte-array keys by content, and lets a dictionary keyed by <c>byte[]</c> be searched
/// with a <see cref="ReadOnlySpan{T}"/> of bytes, so a lookup by a subject or token taken straight
/// from a network buffer allocates nothing.
/// </summary>
internal sealed class SubjectBytesComparer :
    IEqualityComparer<byte[]>,
    IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly SubjectBytesComparer Instance = new();

    private SubjectBytesComparer()
    {
    }

    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] obj) => Hash(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    // HashCode is seeded per process, so crafted subjects cannot aim at one bucket across runs.
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }
}
