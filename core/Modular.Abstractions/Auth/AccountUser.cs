namespace Modular.Abstractions.Auth;

/// <summary>One user of an <c>[accounts.NAME]</c> table, with the password as written (plain text or a bcrypt hash).</summary>
public sealed record AccountUser(string Account, string User, string Password);
