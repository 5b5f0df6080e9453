using System.Collections.Concurrent;

namespace Modular.Core.Accounts;

/// <summary>All accounts of a server, by name. The global account always exists.</summary>
public sealed class AccountRegistry
{
    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.Ordinal);

    public AccountRegistry(IEnumerable<string> configured)
    {
        Global = GetOrAdd(Account.GlobalName);
        foreach (var name in configured)
        {
            GetOrAdd(name);
        }
    }

    public Account Global { get; }

    public Account GetOrAdd(string name) => _accounts.GetOrAdd(name, static n => new Account(n));

    public bool TryGet(string name, out Account account) => _accounts.TryGetValue(name, out account!);

    public IReadOnlyList<Account> All => _accounts.Values.OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
}
