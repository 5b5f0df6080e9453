using Modular.Core.Subjects;

namespace Modular.Core.Accounts;

/// <summary>An account: an isolated subject space. Messages never cross accounts.</summary>
public sealed class Account
{
    /// <summary>The name of the global account, used when no accounts are configured.</summary>
    public const string GlobalName = "$G";

    public Account(string name)
    {
        Name = name;
        NameBytes = System.Text.Encoding.UTF8.GetBytes(name);
    }

    public string Name { get; }

    /// <summary>The name as UTF-8, for the wire (RS+, RMSG).</summary>
    public byte[] NameBytes { get; }

    public SubscriptionIndex Subscriptions { get; } = new();

    /// <summary>Client connections currently bound to this account.</summary>
    public int ClientCount => Volatile.Read(ref _clientCount);

    private int _clientCount;

    internal void ClientJoined() => Interlocked.Increment(ref _clientCount);

    internal void ClientLeft() => Interlocked.Decrement(ref _clientCount);
}
