using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Modular.Plugins.BcryptAuth;

/// <summary>
/// A configured password: a bcrypt hash (<c>$2a$</c>, <c>$2b$</c>, <c>$2x$</c>, <c>$2y$</c>, as nats-server
/// recognises them) checked with bcrypt, or plain text compared in constant time. A bcrypt check costs
/// about 2^cost rounds, so the SHA-256 of the last password that passed is kept and compared first
/// (constant time): a route pool dialing four connections pays for bcrypt once.
/// </summary>
internal sealed partial class StoredPassword
{
    private readonly string _value;
    private readonly byte[] _plainDigest;
    private byte[]? _lastAcceptedDigest;

    public StoredPassword(string value)
    {
        _value = value;
        IsHash = LooksLikeBcrypt(value);
        _plainDigest = IsHash ? [] : SHA256.HashData(Encoding.UTF8.GetBytes(value));
    }

    public bool IsHash { get; }

    /// <summary>nats-server's test for a bcrypt value: <c>^\$2[abxy]\$\d{2}\$</c>.</summary>
    public static bool LooksLikeBcrypt(string value) => BcryptPrefix().IsMatch(value);

    /// <summary>A whole, well-formed bcrypt hash (cost 04..31, 53 characters of salt and digest).</summary>
    public static bool IsWellFormedHash(string value) => BcryptHash().IsMatch(value);

    /// <summary>True when checking <paramref name="presented"/> is cheap: plain text, or the password bcrypt accepted last.</summary>
    public bool IsQuickToCheck(string? presented)
    {
        if (presented is null || !IsHash)
        {
            return true;
        }

        return Volatile.Read(ref _lastAcceptedDigest) is { } accepted
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), accepted);
    }

    public bool Matches(string? presented)
    {
        if (presented is null)
        {
            return false;
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (!IsHash)
        {
            // Both sides hashed first: the comparison takes as long whatever the lengths.
            return CryptographicOperations.FixedTimeEquals(digest, _plainDigest);
        }

        if (Volatile.Read(ref _lastAcceptedDigest) is { } accepted && CryptographicOperations.FixedTimeEquals(digest, accepted))
        {
            return true;
        }

        bool ok;
        try
        {
            ok = BCrypt.Net.BCrypt.Verify(presented, _value);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            ok = false;
        }

        if (ok)
        {
            Volatile.Write(ref _lastAcceptedDigest, digest);
        }

        return ok;
    }

    [GeneratedRegex(@"^\$2[abxy]\$\d{2}\$")]
    private static partial Regex BcryptPrefix();

    [GeneratedRegex(@"^\$2[abxy]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$")]
    private static partial Regex BcryptHash();
}
