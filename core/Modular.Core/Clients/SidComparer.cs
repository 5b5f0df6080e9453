using Modular.Core.Subjects;

namespace Modular.Core.Clients;

/// <summary>
/// Compares a client's subscriptions by sid, and finds one by the sid bytes of a SUB or UNSUB line,
/// so the sid table is a set of the subscriptions themselves: no key string per subscription.
/// </summary>
internal sealed class SidComparer :
    IEqualityComparer<Subscription>,
    IAlternateEqualityComparer<ReadOnlySpan<byte>, Subscription>
{
    public static readonly SidComparer Instance = new();

    private SidComparer()
    {
    }

    public bool Equals(Subscription? x, Subscription? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.Sid.AsSpan().SequenceEqual(y.Sid));

    public int GetHashCode(Subscription obj) => Hash(obj.Sid);

    public bool Equals(ReadOnlySpan<byte> alternate, Subscription other) => alternate.SequenceEqual(other.Sid);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

    // A subscription needs its subject and owner: the client makes them and adds them itself.
    public Subscription Create(ReadOnlySpan<byte> alternate) => throw new NotSupportedException();

    // HashCode is seeded per process, so crafted sids cannot aim at one bucket across runs.
    private static int Hash(ReadOnlySpan<byte> sid)
    {
        var hash = new HashCode();
        hash.AddBytes(sid);
        return hash.ToHashCode();
    }
}
