namespace Modular.Core.Config;

/// <summary>One <c>[accounts.NAME]</c> table.</summary>
public sealed class AccountOptions
{
    public List<UserOptions> Users { get; set; } = new();
}

/// <summary>One entry of an account's <c>users</c> list.</summary>
public sealed class UserOptions
{
    public string User { get; set; } = "";

    public string Password { get; set; } = "";
}
