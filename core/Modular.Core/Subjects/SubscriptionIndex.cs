using System.Runtime.CompilerServices;
using System.Collections.Concurrent;

namespace Modular.Core.Subjects;

/// <summary>
/// The subject index of one account: a trie with '*' and '>' nodes and a match-result cache.
/// </summary>
/// <remarks>
/// Concurrency: every change to the trie, and every write to the cache, happens under one lock.
/// A publisher that finds its subject in the cache reads it without locking (the cache is a
/// <see cref="ConcurrentDictionary{TKey,TValue}"/>); a miss takes the lock, walks the trie and
/// stores the result before letting go. Insert and Remove drop exactly the cached results the
/// changed subscription could appear in, still under the lock, so no cached result is stale once
/// they return. The lock is a leaf: nothing is called back while it is held. Local interest
/// events (first/last subscriber, queue weights) are raised under a second lock, the interest
/// gate, taken before this one (see SubscriptionIndex.Interest.cs).
/// </remarks>
public sealed partial class SubscriptionIndex
{
    /// <summary>Cached results kept by the parameterless constructor.</summary>
    public const int DefaultMaxCacheEntries = 1024;

    private readonly Lock _lock = new();
    private readonly Level _root = new();
    private readonly int _maxCacheEntries;
    private readonly ConcurrentDictionary<byte[], SubscriptionMatch> _cache;
    private readonly ConcurrentDictionary<byte[], SubscriptionMatch>.AlternateLookup<ReadOnlySpan<byte>> _cacheLookup;

    // Written under _lock only; read without it through Volatile.
    private int _count;
    private int _cacheCount;

    // Statistics. A match costs one atomic increment (a hit) or a plain one under _lock (a miss):
    // fan-out is computed over the cached results when asked for, as nats-server does, because
    // three more atomic updates per message were ~3 % of a route node's CPU (bench/profile-route.sh).
    private long _inserts;
    private long _removes;
    private long _misses;
    private long _cacheHits;

    public SubscriptionIndex()
        : this(DefaultMaxCacheEntries)
    {
    }

    /// <param name="maxCacheEntries">How many match results to cache; 0 turns the cache off.</param>
    public SubscriptionIndex(int maxCacheEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCacheEntries);
        _maxCacheEntries = maxCacheEntries;
        _cache = new ConcurrentDictionary<byte[], SubscriptionMatch>(SubjectBytesComparer.Instance);
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Subscriptions currently held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Adds <paramref name="subscription"/>. Adding the same object again changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The subject or the queue name is not valid.</exception>
    public void Insert(Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (!SubjectValidator.IsValidSubscribeSubject(subscription.Subject))
        {
            throw new ArgumentException($"Invalid subscription subject '{subscription.SubjectText}'.", nameof(subscription));
        }

        if (subscription.Queue is { } queue && !SubjectValidator.IsValidQueueName(queue))
        {
            throw new ArgumentException($"Invalid queue name '{subscription.QueueText}'.", nameof(subscription));
        }

        var local = subscription.Owner.AnnouncesInterest;
        var cluster = TracksClusterInterest(subscription);
        if (!local && !cluster && !HasWatchers)
        {
            AddToTrieAndCache(subscription);
            return;
        }

        lock (_interestGate)
        {
            if (AddToTrieAndCache(subscription))
            {
                if (local)
                {
                    CountLocalInterest(subscription, +1);
                }

                if (cluster)
                {
                    CountClusterInterest(subscription, +1);
                }

                NotifyWatchers(subscription, +1);
            }
        }
    }

    private bool AddToTrieAndCache(Subscription subscription)
    {
        lock (_lock)
        {
            if (!AddToTrie(subscription))
            {
                return false;
            }

            Volatile.Write(ref _count, _count + 1);
            Interlocked.Increment(ref _inserts);
            InvalidateCache(subscription.Subject);
            return true;
        }
    }

    /// <summary>Removes <paramref name="subscription"/>; false if it was not in the index.</summary>
    public bool Remove(Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var local = subscription.Owner.AnnouncesInterest;
        var cluster = TracksClusterInterest(subscription);
        if (!local && !cluster && !HasWatchers)
        {
            return RemoveFromTrieAndCache(subscription);
        }

        lock (_interestGate)
        {
            if (!RemoveFromTrieAndCache(subscription))
            {
                return false;
            }

            if (local)
            {
                CountLocalInterest(subscription, -1);
            }

            if (cluster)
            {
                CountClusterInterest(subscription, -1);
            }

            NotifyWatchers(subscription, -1);
            return true;
        }
    }

    private bool RemoveFromTrieAndCache(Subscription subscription)
    {
        lock (_lock)
        {
            if (!RemoveFromTrie(subscription))
            {
                return false;
            }

            Volatile.Write(ref _count, _count - 1);
            Interlocked.Increment(ref _removes);
            InvalidateCache(subscription.Subject);
            return true;
        }
    }

    /// <summary>
    /// The subscriptions interested in the literal <paramref name="subject"/>. A subject seen before
    /// costs one lock-free cache lookup and allocates nothing. A subject with an empty token
    /// matches nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    public SubscriptionMatch Match(ReadOnlySpan<byte> subject)
    {
        if (_cacheLookup.TryGetValue(subject, out SubscriptionMatch? cached))
        {
            Interlocked.Increment(ref _cacheHits);
            return cached;
        }

        lock (_lock)
        {
            Volatile.Write(ref _misses, _misses + 1);

            // Another publisher may have filled the entry while this one waited for the lock.
            if (!_cacheLookup.TryGetValue(subject, out SubscriptionMatch? result))
            {
                result = CollectMatches(subject);
                AddToCache(subject, result);
            }

            return result;
        }
    }

    /// <summary>True when at least one subscription matches <paramref name="subject"/>.</summary>
    public bool HasInterest(ReadOnlySpan<byte> subject) => !Match(subject).IsEmpty;

    /// <summary>A snapshot of every subscription held.</summary>
    public IReadOnlyList<Subscription> GetAll()
    {
        lock (_lock)
        {
            var all = new List<Subscription>(_count);
            CollectAll(_root, all);
            return all;
        }
    }

    /// <summary>The counters; fan-out is that of the results cached now (nats-server's sublist stats).</summary>
    public SubscriptionIndexStats GetStats()
    {
        int maxFanout = 0;
        long fanoutTotal = 0;
        int cached = 0;
        foreach (KeyValuePair<byte[], SubscriptionMatch> entry in _cache)
        {
            int fanout = entry.Value.Count;
            fanoutTotal += fanout;
            maxFanout = Math.Max(maxFanout, fanout);
            cached++;
        }

        long hits = Interlocked.Read(ref _cacheHits);
        return new SubscriptionIndexStats(
            Count: Volatile.Read(ref _count),
            CacheEntries: Volatile.Read(ref _cacheCount),
            Inserts: Interlocked.Read(ref _inserts),
            Removes: Interlocked.Read(ref _removes),
            Matches: hits + Volatile.Read(ref _misses),
            CacheHits: hits,
            MaxFanout: maxFanout,
            AverageFanout: cached == 0 ? 0 : (double)fanoutTotal / cached);
    }

    // Caller holds _lock.
    private void AddToCache(ReadOnlySpan<byte> subject, SubscriptionMatch result)
    {
        if (_maxCacheEntries == 0)
        {
            return;
        }

        if (_cacheCount >= _maxCacheEntries)
        {
            EvictFromCache();
        }

        if (_cacheLookup.TryAdd(subject, result))
        {
            _cacheCount++;
        }
    }

    // Caller holds _lock. Drops a quarter of the entries at once, so a stream of new subjects
    // pays for a sweep only every few hundred misses. The dictionary's enumeration order follows
    // the per-process seeded hash, so which entries go is effectively arbitrary.
    private void EvictFromCache()
    {
        int keep = _maxCacheEntries - Math.Max(1, _maxCacheEntries / 4);
        foreach (KeyValuePair<byte[], SubscriptionMatch> entry in _cache)
        {
            if (_cacheCount <= keep)
            {
                break;
            }

            if (_cache.TryRemove(entry.Key, out _))
            {
                _cacheCount--;
            }
        }
    }

    // Caller holds _lock. A literal pattern can only be in the result for its own subject; a
    // wildcard one may be in any cached result whose subject it matches.
    private void InvalidateCache(byte[] pattern)
    {
        if (_cacheCount == 0)
        {
            return;
        }

        if (SubjectValidator.IsLiteral(pattern))
        {
            if (_cache.TryRemove(pattern, out _))
            {
                _cacheCount--;
            }

            return;
        }

        foreach (KeyValuePair<byte[], SubscriptionMatch> entry in _cache)
        {
            if (SubjectMatcher.IsMatch(pattern, entry.Key) && _cache.TryRemove(entry.Key, out _))
            {
                _cacheCount--;
            }
        }
    }
}
