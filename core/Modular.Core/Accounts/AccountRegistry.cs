using System.Collections.Concurrent;
using System.Text;
using Modular.Core.Subjects;

namespace Modular.Core.Accounts;

/// <summary>All accounts of a server, by name. The global account always exists.</summary>
public sealed class AccountRegistry
{
    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.Ordinal);

    // The same accounts keyed by UTF-8 name, so a name read off the wire (RS+, RMSG) is looked up without a string.
    private readonly ConcurrentDictionary<byte[], Account> _byBytes = new(SubjectBytesComparer.Instance);

    public AccountRegistry(IEnumerable<string> configured)
    {
        Global = GetOrAdd(Account.GlobalName);
        foreach (var name in configured)
        {
            GetOrAdd(name);
        }
    }

    public Account Global { get; }

    // Sees every account, those added later too (the cluster and the gateways listen to their interest).
    private volatile Action<Account>? _observer;

    public Account GetOrAdd(string name)
    {
        if (_accounts.TryGetValue(name, out var existing))
        {
            return existing;
        }

        var account = _accounts.GetOrAdd(name, static n => new Account(n));
        if (_byBytes.TryAdd(account.NameBytes, account))
        {
            _observer?.Invoke(account);
        }

        return account;
    }

    /// <summary>Calls <paramref name="observe"/> for every account now and for each one added later (observers add up); at most once per account unless an add races with this call.</summary>
    public void ObserveAccounts(Action<Account> observe)
    {
        lock (_accounts)
        {
            _observer += observe;
        }

        foreach (var account in _accounts.Values)
        {
            observe(account);
        }
    }

    public bool TryGet(string name, out Account account) => _accounts.TryGetValue(name, out account!);

    /// <summary>Looks an account up by its UTF-8 name without allocating.</summary>
    public bool TryGet(ReadOnlySpan<byte> name, out Account account) =>
        _byBytes.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(name, out account!);

    public IReadOnlyList<Account> All => _accounts.Values.OrderBy(a => a.Name, StringComparer.Ordinal).ToList();

    public static string NameOf(ReadOnlySpan<byte> name) => Encoding.UTF8.GetString(name);
}
