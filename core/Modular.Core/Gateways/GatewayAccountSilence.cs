using System.Text;

namespace Modular.Core.Gateways;

/// <summary>
/// The accounts for which one side of a gateway connection said <c>A-</c> (nats-server gateway.go:
/// "no interest in this account at all"). On an inbound connection: the accounts this server
/// answered A- for (a message for an account it does not have), so it says so once. On an outbound
/// connection: the accounts the remote answered A- for; plain messages of those accounts are not
/// sent (queue groups still are, as nats-server keeps its queue interest) until an <c>A+</c> or the
/// account's switch to interest-only mode (INFO gateway_cmd 2) clears it. Used by the connection's
/// read loop; <see cref="Contains"/> is also read by publishers, hence the copy-on-write array.
/// </summary>
public sealed class GatewayAccountSilence
{
    private byte[][] _accounts = [];

    /// <summary>True when some account is silenced: the only check on the hot path when none is.</summary>
    public bool IsEmpty => Volatile.Read(ref _accounts).Length == 0;

    /// <summary>The accounts, as text (for tests and monitoring).</summary>
    public IReadOnlyList<string> Accounts => Volatile.Read(ref _accounts).Select(a => Encoding.UTF8.GetString(a)).ToList();

    public bool Contains(ReadOnlySpan<byte> account)
    {
        foreach (var silenced in Volatile.Read(ref _accounts))
        {
            if (account.SequenceEqual(silenced))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Silences <paramref name="account"/>; false when it already was (an A- is said once).</summary>
    public bool Add(ReadOnlySpan<byte> account)
    {
        if (account.IsEmpty || Contains(account))
        {
            return false;
        }

        Volatile.Write(ref _accounts, [.. _accounts, account.ToArray()]);
        return true;
    }

    /// <summary>Lifts the silence on <paramref name="account"/> (A+, or its interest-only switch).</summary>
    public bool Remove(ReadOnlySpan<byte> account)
    {
        var current = _accounts;
        for (var i = 0; i < current.Length; i++)
        {
            if (account.SequenceEqual(current[i]))
            {
                Volatile.Write(ref _accounts, [.. current[..i], .. current[(i + 1)..]]);
                return true;
            }
        }

        return false;
    }
}
