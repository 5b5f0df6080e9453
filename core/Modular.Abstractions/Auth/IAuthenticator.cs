using Modular.Abstractions.Transport;

namespace Modular.Abstractions.Auth;

/// <summary>
/// The auth seam: decides on a CONNECT from a client or a route. The built-in default checks plain
/// users and passwords from the configuration; a plugin may check bcrypt hashes or anything else.
/// </summary>
public interface IAuthenticator
{
    /// <summary>True when connections of this kind must present credentials (sets auth_required in INFO).</summary>
    bool IsRequired(ConnectionKind kind);

    ValueTask<AuthDecision> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken = default);
}
