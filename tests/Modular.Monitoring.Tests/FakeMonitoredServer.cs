using System.Net;
using Modular.Core.Clients;
using Modular.Core.Config;
using Modular.Monitoring;
using Modular.Core.Server;
using Modular.Core.Subjects;

namespace Modular.Monitoring.Tests;

/// <summary>An <see cref="IMonitoredServer"/> with settable data, for builder and listener tests.</summary>
internal sealed class FakeMonitoredServer : IMonitoredServer
{
    public static readonly DateTime T0 = new(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);

    public string ServerId { get; set; } = "NFAKESERVERID";

    public string ServerName { get; set; } = "fake-1";

    public string Version { get; set; } = "2.10.0";

    public DateTime StartTime { get; set; } = T0;

    public DateTime ConfigLoadTime { get; set; } = T0;

    public ModularOptions Options { get; set; } = new();

    public IPEndPoint? ClientEndPoint { get; set; } = new(IPAddress.Loopback, 4333);

    public bool IsAcceptingClients { get; set; } = true;

    public bool AuthRequired { get; set; }

    public ServerStatistics Statistics { get; } = new();

    public int ClientCount => Clients.Count;

    public int RouteCount { get; set; }


    public int LeafnodeCount { get; set; }


    public IPEndPoint? LeafEndPoint { get; set; }

    public int RemoteCount { get; set; }

    public IPEndPoint? ClusterEndPoint { get; set; }

    public List<ClientSnapshot> Clients { get; } = new();

    public List<ClientSnapshot> Closed { get; } = new();

    public List<MonitoredAccount> Accounts { get; } = new() { new MonitoredAccount("$G", 0, default, T0) };

    public IReadOnlyList<ClientSnapshot> GetClients() => Clients;

    public IReadOnlyList<ClientSnapshot> GetClosedClients() => Closed;

    public IReadOnlyList<MonitoredAccount> GetAccounts() => Accounts;

    public static ClientSnapshot Client(
        ulong id,
        string account = "$G",
        string? user = null,
        long inMsgs = 0,
        long outMsgs = 0,
        long inBytes = 0,
        long outBytes = 0,
        long pending = 0,
        TimeSpan? rtt = null,
        DateTime? start = null,
        DateTime? last = null,
        DateTime? stop = null,
        string? reason = null,
        params (string Subject, string? Queue)[] subs)
    {
        var list = new List<SubscriptionSnapshot>();
        int sid = 1;
        foreach (var (subject, queue) in subs)
        {
            list.Add(new SubscriptionSnapshot(account, subject, queue, (sid++).ToString(System.Globalization.CultureInfo.InvariantCulture), 0, 0, id));
        }

        return new ClientSnapshot(
            id,
            new IPEndPoint(IPAddress.Parse("10.0.0." + id), 50000 + (int)id),
            start ?? T0.AddMinutes(id),
            last ?? T0.AddMinutes(id + 1),
            stop,
            reason,
            rtt,
            "client-" + id,
            "go",
            "1.30.0",
            account,
            user,
            pending,
            inMsgs,
            outMsgs,
            inBytes,
            outBytes,
            list);
    }

    public static SubscriptionIndexStats Stats(int count, int cache = 0, long inserts = 0, long removes = 0, long matches = 0, long hits = 0, int maxFanout = 0, double avgFanout = 0) =>
        new(count, cache, inserts, removes, matches, hits, maxFanout, avgFanout);
}
