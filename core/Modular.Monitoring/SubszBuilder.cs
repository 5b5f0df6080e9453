using Modular.Core.Clients;
using Modular.Monitoring.Models;
using Modular.Core.Subjects;

namespace Modular.Monitoring;

/// <summary>
/// Builds <c>/subsz</c>: subject index counters summed over the selected accounts and, with
/// <c>subs=1</c>, a page of the local (client) subscriptions.
/// </summary>
public static class SubszBuilder
{
    public static MonitorResponse Handle(IMonitoredServer server, MonitorRequest request) =>
        MonitorResponse.Json(Build(server, SubszOptions.Parse(request.Query), DateTime.UtcNow));

    public static Subsz Build(IMonitoredServer server, SubszOptions options, DateTime now)
    {
        IEnumerable<MonitoredAccount> accounts = server.GetAccounts();
        if (options.Account.Length > 0)
        {
            accounts = accounts.Where(a => a.Name == options.Account);
        }

        SublistStats stats = Aggregate(accounts.Select(a => a.Subscriptions));
        var subsz = new Subsz
        {
            ServerId = server.ServerId,
            Now = now,
            NumSubscriptions = stats.NumSubscriptions,
            NumCache = stats.NumCache,
            NumInserts = stats.NumInserts,
            NumRemoves = stats.NumRemoves,
            NumMatches = stats.NumMatches,
            CacheHitRate = stats.CacheHitRate,
            MaxFanout = stats.MaxFanout,
            AvgFanout = stats.AvgFanout,
            Offset = options.Offset,
            Limit = options.Limit,
        };

        if (!options.Subscriptions)
        {
            return subsz;
        }

        // Local subscriptions are the clients' own; route interest is in the counters only.
        IEnumerable<SubscriptionSnapshot> subs = server.GetClients().SelectMany(c => c.Subscriptions);
        if (options.Account.Length > 0)
        {
            subs = subs.Where(s => s.Account == options.Account);
        }

        if (options.Test.Length > 0)
        {
            subs = subs.Where(s => MonitorSubjects.Matches(options.Test, s.Subject));
        }

        List<SubDetail> details = subs
            .OrderBy(s => s.Account, StringComparer.Ordinal)
            .ThenBy(s => s.Cid)
            .ThenBy(s => s.Subject, StringComparer.Ordinal)
            .ThenBy(s => s.Sid, StringComparer.Ordinal)
            .Select(ConnzBuilder.ToSubDetail)
            .ToList();
        int start = Math.Min(options.Offset, details.Count);
        int count = Math.Min(options.Limit, details.Count - start);
        subsz.Total = details.Count;
        subsz.SubscriptionsList = count > 0 ? details.GetRange(start, count) : null;
        return subsz;
    }

    /// <summary>
    /// Sums index counters over accounts as nats-server does: counts add up, the hit rate is total
    /// hits over total matches, max fanout is the largest, the average is weighted by cache entries.
    /// </summary>
    public static SublistStats Aggregate(IEnumerable<SubscriptionIndexStats> all)
    {
        var result = new SublistStats();
        long hits = 0;
        double totalFanout = 0;
        long cacheEntries = 0;
        foreach (SubscriptionIndexStats s in all)
        {
            result.NumSubscriptions += s.Count;
            result.NumCache += s.CacheEntries;
            result.NumInserts += s.Inserts;
            result.NumRemoves += s.Removes;
            result.NumMatches += s.Matches;
            result.MaxFanout = Math.Max(result.MaxFanout, s.MaxFanout);
            hits += s.CacheHits;
            totalFanout += s.AverageFanout * s.CacheEntries;
            cacheEntries += s.CacheEntries;
        }

        result.CacheHitRate = result.NumMatches > 0 ? (double)hits / result.NumMatches : 0;
        result.AvgFanout = cacheEntries > 0 ? totalFanout / cacheEntries : 0;
        return result;
    }

    /// <summary>One account's counters in the shape of <c>sublist_stats</c>.</summary>
    public static SublistStats From(SubscriptionIndexStats stats) => Aggregate([stats]);
}
