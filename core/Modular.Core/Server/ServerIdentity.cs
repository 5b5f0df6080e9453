namespace Modular.Core.Server;

/// <summary>Generates server ids in the shape nats-server uses: 56 characters of base32 starting with 'N'.</summary>
/// <remarks>
/// An id names a server and is public (nats-server's is a public key), so it needs to be unique,
/// not secret: Random.Shared (seeded from the OS) does. RandomNumberGenerator would load OpenSSL's
/// libcrypto at start-up, about 3 MiB of resident memory for a node that uses no TLS.
/// </remarks>
internal static class ServerIdentity
{
    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string NewServerId()
    {
        Span<byte> random = stackalloc byte[55];
        Random.Shared.NextBytes(random);
        Span<char> id = stackalloc char[56];
        id[0] = 'N';
        for (var i = 0; i < random.Length; i++)
        {
            id[i + 1] = Base32[random[i] & 31];
        }

        return new string(id);
    }
}
