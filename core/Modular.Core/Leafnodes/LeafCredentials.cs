using System.Text;
using NATS.NKeys;

namespace Modular.Core.Leafnodes;

/// <summary>
/// What a remote proves its identity with to a hub that sends a nonce (nats-server leafnode.go
/// sendLeafConnect): a .creds file (a user JWT block and its nkey seed block: the CONNECT carries the
/// JWT and the nonce signed with the seed), or a bare user nkey seed (the remote's <c>nkey</c>, or a
/// .creds file with only a seed block: the CONNECT carries the public key and the signature).
/// </summary>
public sealed class LeafCredentials
{
    private readonly string _seed;

    private LeafCredentials(string? jwt, string seed, string publicKey)
    {
        Jwt = jwt;
        _seed = seed;
        PublicKey = publicKey;
    }

    /// <summary>The user JWT of a .creds file; null for a bare nkey.</summary>
    public string? Jwt { get; }

    /// <summary>The seed's public user key (U...).</summary>
    public string PublicKey { get; }

    /// <summary>A bare seed (SU...); null with why when it is not one.</summary>
    public static LeafCredentials? FromSeed(string seed, out string? error) => Make(null, seed.Trim(), out error);

    /// <summary>Reads a .creds file: its JWT block (optional) and its nkey seed block; null with why (one line) when it cannot.</summary>
    public static LeafCredentials? FromFile(string path, out string? error)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e is FileNotFoundException or DirectoryNotFoundException
                ? $"credentials file \"{path}\" not found"
                : $"credentials file \"{path}\" cannot be read: {e.Message}";
            return null;
        }

        string? jwt = null;
        string? seed = null;
        var lines = text.Split('\n', StringSplitOptions.TrimEntries);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("---", StringComparison.Ordinal) && line.Contains("BEGIN", StringComparison.Ordinal))
            {
                // The block's one value is the next non-empty line.
                var value = lines.Skip(i + 1).FirstOrDefault(l => l.Length > 0) ?? "";
                if (line.Contains("SEED", StringComparison.Ordinal))
                {
                    seed ??= value;
                }
                else if (line.Contains("JWT", StringComparison.Ordinal))
                {
                    jwt ??= value;
                }
            }
            else if (seed is null && line.StartsWith("SU", StringComparison.Ordinal) && !line.Contains(' ', StringComparison.Ordinal))
            {
                // A file holding only a seed (as `nk -gen user` writes it).
                seed = line;
            }
        }

        if (seed is null)
        {
            error = $"credentials file \"{path}\" has no user nkey seed (a -----BEGIN USER NKEY SEED----- block)";
            return null;
        }

        var credentials = Make(jwt, seed, out error);
        if (error is not null)
        {
            error = $"credentials file \"{path}\": {error}";
        }

        return credentials;
    }

    private static LeafCredentials? Make(string? jwt, string seed, out string? error)
    {
        if (!seed.StartsWith("SU", StringComparison.Ordinal))
        {
            error = "expected a user nkey seed (SU...)";
            return null;
        }

        try
        {
            using var pair = KeyPair.FromSeed(seed);
            error = null;
            return new LeafCredentials(jwt, seed, pair.GetPublicKey());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = "the user nkey seed is malformed";
            return null;
        }
    }

    /// <summary>The nonce signed with the seed, base64url without padding (as nats-server sends <c>sig</c>).</summary>
    public string Sign(string nonce)
    {
        using var pair = KeyPair.FromSeed(_seed);
        var signature = new byte[64];
        pair.Sign(Encoding.UTF8.GetBytes(nonce), signature);
        return Base64Url(signature);
    }

    /// <summary>True when <paramref name="signature"/> (base64url, padded or not, or standard base64) is <paramref name="nonce"/> signed by the user nkey <paramref name="publicKey"/>.</summary>
    public static bool Verifies(string publicKey, string nonce, string? signature)
    {
        if (string.IsNullOrEmpty(signature) || TryDecode(signature) is not { } raw)
        {
            return false;
        }

        try
        {
            using var pair = KeyPair.FromPublicKey(publicKey);
            return pair.Verify(Encoding.UTF8.GetBytes(nonce), raw);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>True for a well-formed public user nkey (U...).</summary>
    public static bool IsUserPublicKey(string key)
    {
        try
        {
            return key.StartsWith('U') && KeyPair.IsValidPublicKey(PrefixByte.User, key);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? TryDecode(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(standard);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
