using System.Security.Cryptography;
using System.Text;

namespace Modular.Core.Gateways;

/// <summary>
/// Replies routed back across gateways (nats-server gateway.go): a request leaving a cluster has its
/// reply rewritten to <c>_GR_.&lt;cluster hash&gt;.&lt;server hash&gt;.&lt;reply&gt;</c>, so the answer
/// goes straight back to the origin cluster whatever interest has propagated. Hashes are 6
/// characters: the first bytes of the name's SHA-256, each mapped to base 62 (nats-server's getHashSize).
/// </summary>
public static class GatewayReply
{
    public const int HashLength = 6;

    private const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary><c>_GR_.</c></summary>
    public static ReadOnlySpan<byte> Marker => "_GR_."u8;

    /// <summary>Where the cluster hash starts: after <c>_GR_.</c>.</summary>
    public const int ClusterHashOffset = 5;

    /// <summary>Where the server hash starts.</summary>
    public const int ServerHashOffset = ClusterHashOffset + HashLength + 1;

    /// <summary>Where the original reply starts in a routed reply: after <c>_GR_.</c>, two hashes and their dots.</summary>
    public const int SubjectOffset = 5 + HashLength + 1 + HashLength + 1;

    /// <summary>The 6-character hash of a cluster name or server id.</summary>
    public static string Hash(string name)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var hash = new char[HashLength];
        for (var i = 0; i < HashLength; i++)
        {
            hash[i] = Digits[digest[i] % Digits.Length];
        }

        return new string(hash);
    }

    /// <summary>The prefix this server puts before the replies it sends to other clusters.</summary>
    public static byte[] Prefix(string clusterName, string serverId) =>
        Encoding.ASCII.GetBytes($"_GR_.{Hash(clusterName)}.{Hash(serverId)}.");

    /// <summary>True for <c>_GR_.cccccc.ssssss.reply</c>.</summary>
    public static bool IsRouted(ReadOnlySpan<byte> subject) => subject.Length > SubjectOffset && subject.StartsWith(Marker);

    /// <summary>The reply a routed reply stands for; any other subject as it is.</summary>
    public static ReadOnlySpan<byte> Unwrap(ReadOnlySpan<byte> subject) => IsRouted(subject) ? subject[SubjectOffset..] : subject;

    /// <summary>The subject every routed reply for <paramref name="clusterName"/> matches: <c>_GR_.&lt;hash&gt;.&gt;</c>.</summary>
    public static byte[] ClusterWildcard(string clusterName) => Encoding.ASCII.GetBytes($"_GR_.{Hash(clusterName)}.>");
}
