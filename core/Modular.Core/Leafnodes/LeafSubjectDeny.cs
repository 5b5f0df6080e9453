using System.Text;
using Modular.Core.Subjects;

namespace Modular.Core.Leafnodes;

/// <summary>
/// A list of denied subjects (wildcards allowed) of one leaf connection: deny_imports or deny_exports
/// of a remote, or the deny_pub a leaf's CONNECT named. A subject is denied when a pattern matches it
/// token by token (a subscription's own wildcards compared literally, as nats-server's sublist).
/// </summary>
public sealed class LeafSubjectDeny
{
    private readonly byte[][] _patterns;

    private LeafSubjectDeny(byte[][] patterns) => _patterns = patterns;

    /// <summary>Null when <paramref name="subjects"/> is empty: nothing is denied, and nothing is checked.</summary>
    public static LeafSubjectDeny? For(IEnumerable<string>? subjects)
    {
        var patterns = subjects?.Where(s => s.Length > 0).Select(Encoding.UTF8.GetBytes).ToArray() ?? [];
        return patterns.Length == 0 ? null : new LeafSubjectDeny(patterns);
    }

    public bool Denies(ReadOnlySpan<byte> subject)
    {
        foreach (var pattern in _patterns)
        {
            if (SubjectMatcher.IsMatch(pattern, subject))
            {
                return true;
            }
        }

        return false;
    }
}
