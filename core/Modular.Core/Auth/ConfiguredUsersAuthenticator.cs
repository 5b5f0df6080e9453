using System.Security.Cryptography;
using System.Text;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Accounts;
using Modular.Core.Config;

namespace Modular.Core.Auth;

/// <summary>
/// The built-in client authenticator: users and plain passwords from <c>[accounts.NAME]</c>, or a
/// server-wide auth token. With neither configured, everyone is let in to the global account.
/// Comparisons are constant-time so a wrong password takes as long as a right one.
/// </summary>
public sealed class ConfiguredUsersAuthenticator : IAuthenticator
{
    private readonly Dictionary<string, (byte[] Password, string Account)> _users = new(StringComparer.Ordinal);
    private readonly byte[]? _token;

    public ConfiguredUsersAuthenticator(ModularOptions options)
    {
        foreach (var (account, accountOptions) in options.Accounts)
        {
            foreach (var user in accountOptions.Users)
            {
                _users[user.User] = (Encoding.UTF8.GetBytes(user.Password), account);
            }
        }

        _token = options.Server.AuthToken is null ? null : Encoding.UTF8.GetBytes(options.Server.AuthToken);
    }

    public bool IsRequired(ConnectionKind kind) => kind == ConnectionKind.Client && (_users.Count > 0 || _token is not null);

    public ValueTask<AuthDecision> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Decide(request));

    private AuthDecision Decide(AuthRequest request)
    {
        if (!IsRequired(request.Kind))
        {
            return AuthDecision.Allow(Account.GlobalName);
        }

        if (_token is not null && request.Token is not null && SameBytes(_token, request.Token))
        {
            return AuthDecision.Allow(Account.GlobalName);
        }

        if (request.User is not null && _users.TryGetValue(request.User, out var entry) && SameBytes(entry.Password, request.Password ?? ""))
        {
            return AuthDecision.Allow(entry.Account, request.User);
        }

        return AuthDecision.Deny;
    }

    private static bool SameBytes(byte[] expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(presented));
}
