using System.Security.Cryptography;

namespace Modular.Core.Server;

/// <summary>Generates server ids in the shape nats-server uses: 56 characters of base32 starting with 'N'.</summary>
internal static class ServerIdentity
{
    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string NewServerId()
    {
        Span<byte> random = stackalloc byte[55];
        RandomNumberGenerator.Fill(random);
        Span<char> id = stackalloc char[56];
        id[0] = 'N';
        for (var i = 0; i < random.Length; i++)
        {
            id[i + 1] = Base32[random[i] & 31];
        }

        return new string(id);
    }
}
