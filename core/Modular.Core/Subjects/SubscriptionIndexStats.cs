namespace Modular.Core.Subjects;

/// <summary>Counters of a <see cref="SubscriptionIndex"/>, as /subsz reports them.</summary>
public readonly record struct SubscriptionIndexStats(
    int Count,
    int CacheEntries,
    long Inserts,
    long Removes,
    long Matches,
    long CacheHits,
    int MaxFanout,
    double AverageFanout);
