namespace Modular.Abstractions.Auth;

/// <summary>The outcome of authenticating a CONNECT: allowed or not, and the account it binds to.</summary>
public readonly record struct AuthDecision(bool Allowed, string? Account, string? User)
{
    public static AuthDecision Deny => new(false, null, null);

    public static AuthDecision Allow(string account, string? user = null) => new(true, account, user);
}
