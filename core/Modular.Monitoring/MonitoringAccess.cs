using System.Security.Cryptography;
using System.Text;

namespace Modular.Monitoring;

/// <summary>
/// Checks a request's <c>Authorization</c> header against the configured token (Bearer) or user and
/// password (Basic). Comparisons take the same time whatever the guess, so timing tells an attacker
/// nothing about how close a guess was.
/// </summary>
internal sealed class MonitoringAccess
{
    private readonly byte[]? _token;
    private readonly byte[]? _basic;

    public MonitoringAccess(MonitoringListenOptions options)
    {
        _token = options.Token is null ? null : Encoding.UTF8.GetBytes(options.Token);
        _basic = options.User is null ? null : Encoding.UTF8.GetBytes(options.User + ":" + (options.Password ?? ""));
    }

    public bool IsRequired => _token is not null || _basic is not null;

    /// <summary>What a 401 announces: the schemes a client may use.</summary>
    public string Challenge => _basic is not null ? "Basic realm=\"modular\"" : "Bearer realm=\"modular\"";

    public bool Allows(string? authorization)
    {
        if (!IsRequired)
        {
            return true;
        }

        if (string.IsNullOrEmpty(authorization))
        {
            return false;
        }

        if (_token is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return FixedTimeEquals(_token, Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()));
        }

        if (_basic is not null && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var encoded = authorization["Basic ".Length..].Trim();
            var decoded = new byte[encoded.Length];
            return Convert.TryFromBase64String(encoded, decoded, out int length) && FixedTimeEquals(_basic, decoded.AsSpan(0, length));
        }

        return false;
    }

    private static bool FixedTimeEquals(byte[] expected, ReadOnlySpan<byte> given)
    {
        // Hashing first makes the comparison independent of the lengths as well.
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        SHA256.HashData(expected, a);
        SHA256.HashData(given, b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
