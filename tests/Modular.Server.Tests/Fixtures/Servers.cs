using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.Fixtures;

/// <summary>A server with defaults and no auth.</summary>
public sealed class PlainServer : ServerFixture
{
    protected override ConfigBuilder Config { get; } = Standalone with { Name = "e2e-plain" };
}

/// <summary>Two accounts, A (users a and a2) and B (user b); auth is required.</summary>
public sealed class AccountsServer : ServerFixture
{
    public const string UserA = "a";
    public const string PasswordA = "pa";
    public const string UserA2 = "a2";
    public const string PasswordA2 = "pa2";
    public const string UserB = "b";
    public const string PasswordB = "pb";

    protected override ConfigBuilder Config { get; } = Standalone with
    {
        Name = "e2e-accounts",
        Accounts = new Dictionary<string, (string User, string Password)[]>
        {
            ["A"] = [(UserA, PasswordA), (UserA2, PasswordA2)],
            ["B"] = [(UserB, PasswordB)],
        },
    };
}

/// <summary>
/// Auth required with a short auth_timeout (1s). Kept apart from <see cref="AccountsServer"/>: on a busy
/// machine a freshly started client or server can take longer than 1s to get a CONNECT through.
/// </summary>
public sealed class AuthTimeoutServer : ServerFixture
{
    public const string User = "t";
    public const string Password = "pt";

    protected override ConfigBuilder Config { get; } = Standalone with
    {
        Name = "e2e-auth-timeout",
        AuthTimeout = "1s",
        Accounts = new Dictionary<string, (string User, string Password)[]> { ["T"] = [(User, Password)] },
    };
}

/// <summary>max_payload = 1024.</summary>
public sealed class SmallPayloadServer : ServerFixture
{
    public const int MaxPayload = 1024;

    protected override ConfigBuilder Config { get; } = Standalone with { Name = "e2e-payload", MaxPayload = MaxPayload };
}

/// <summary>A small max_pending and write_deadline, with monitoring, to cut off slow consumers quickly.</summary>
public sealed class SlowConsumerServer : ServerFixture
{
    protected override ConfigBuilder Config { get; } = Standalone with
    {
        Name = "e2e-slow",
        Monitor = true,
        MaxPayload = 64 * 1024, // nats-server refuses max_payload above max_pending
        MaxPending = "256KB",
        WriteDeadline = "2s",
    };
}

/// <summary>Server PINGs every second; two unanswered PINGs make a connection stale.</summary>
public sealed class FastPingServer : ServerFixture
{
    protected override ConfigBuilder Config { get; } = Standalone with
    {
        Name = "e2e-ping",
        PingInterval = "1s",
        PingMax = 2,
    };
}

/// <summary>Defaults plus HTTP monitoring.</summary>
public sealed class MonitoredServer : ServerFixture
{
    protected override ConfigBuilder Config { get; } = Standalone with { Name = "e2e-monitored", Monitor = true };
}
