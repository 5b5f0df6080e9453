namespace Modular.Core.Routes.Peers;

public enum RegistrationResult
{
    Registered,

    /// <summary>Close without a word (duplicate, pool full, self).</summary>
    Close,

    /// <summary>Close after sending -ERR with <see cref="RegistrationOutcome.Error"/>.</summary>
    Error,
}

/// <summary>What the route registry decided about a connection that just got the peer's INFO.</summary>
public readonly record struct RegistrationOutcome(RegistrationResult Result, RouteCloseReason Reason, string? Error = null)
{
    public static readonly RegistrationOutcome Registered = new(RegistrationResult.Registered, RouteCloseReason.ClientClosed);
}
