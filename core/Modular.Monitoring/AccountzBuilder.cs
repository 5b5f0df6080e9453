using Modular.Monitoring.Models;

namespace Modular.Monitoring;

/// <summary>
/// Builds <c>/accountz</c>: the account names, or with <c>acc=NAME</c> that account's detail. An
/// unknown account is HTTP 400 "Account NAME does not exist", as nats-server answers.
/// </summary>
public static class AccountzBuilder
{
    public static MonitorResponse Handle(IMonitoredServer server, MonitorRequest request) =>
        MonitorResponse.Json(Build(server, request.Query.Get("acc"), DateTime.UtcNow));

    public static Accountz Build(IMonitoredServer server, string account, DateTime now)
    {
        var accountz = new Accountz { ServerId = server.ServerId, Now = now };
        IReadOnlyList<MonitoredAccount> accounts = server.GetAccounts();
        if (account.Length == 0)
        {
            accountz.Accounts = accounts.Select(a => a.Name).ToList();
            return accountz;
        }

        MonitoredAccount? found = accounts.FirstOrDefault(a => a.Name == account)
            ?? throw new MonitorBadRequestException($"Account {account} does not exist");
        accountz.AccountDetail = new AccountInfo
        {
            AccountName = found.Name,
            UpdateTime = found.UpdateTime,
            IsSystem = false,
            Expired = false,
            Complete = true,
            JetStreamEnabled = false,
            LeafnodeConnections = 0,
            ClientConnections = found.ClientCount,
            Subscriptions = found.Subscriptions.Count,
            SublistStats = SubszBuilder.From(found.Subscriptions),
        };
        return accountz;
    }
}
