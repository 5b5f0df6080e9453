using Modular.Core.Subjects;

namespace Modular.Core.Gateways;

/// <summary>
/// One client's routed replies (nats-server client.go gwReplyMapping): a request that crossed a
/// gateway reaches the client with its original reply, not <c>_GR_.&lt;cluster&gt;.&lt;server&gt;.&lt;reply&gt;</c>,
/// and what the client then publishes to that reply within the expiry (nats-server's 2 s) is sent to
/// the routed reply instead, so it goes straight back to the requester's cluster and server.
/// Delivery (any thread) records; the client's read loop maps its publishes; a lock covers both.
/// Recording allocates (a key and the routed reply), once per request that crossed; a client whose
/// map is empty pays one field read per publish.
/// </summary>
public sealed class GatewayReplyMap
{
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(2);

    // Original reply → (routed reply, when it expires in Environment.TickCount64 ms).
    private readonly Dictionary<byte[], (byte[] Routed, long ExpiresAt)> _replies = new(SubjectBytesComparer.Instance);
    private int _count;

    /// <summary>True when nothing is recorded: the publish path's only check.</summary>
    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    /// <summary>Records <paramref name="routedReply"/> (<c>_GR_.…</c>) and returns the original reply to deliver.</summary>
    public ReadOnlySpan<byte> Track(ReadOnlySpan<byte> routedReply, long now)
    {
        var original = routedReply[GatewayReply.SubjectOffset..];
        lock (_replies)
        {
            if (_replies.Count >= 64)
            {
                RemoveExpired(now);
            }

            var lookup = _replies.GetAlternateLookup<ReadOnlySpan<byte>>();
            if (lookup.TryGetValue(original, out var known) && known.Routed.AsSpan().SequenceEqual(routedReply))
            {
                lookup[original] = (known.Routed, now + (long)Expiry.TotalMilliseconds);
            }
            else
            {
                var routed = routedReply.ToArray();
                _replies[routed[GatewayReply.SubjectOffset..]] = (routed, now + (long)Expiry.TotalMilliseconds);
            }

            Volatile.Write(ref _count, _replies.Count);
        }

        return original;
    }

    /// <summary>The routed reply <paramref name="subject"/> stands for, if it was recorded and has not expired.</summary>
    public bool TryMap(ReadOnlySpan<byte> subject, long now, out byte[] routed)
    {
        lock (_replies)
        {
            var lookup = _replies.GetAlternateLookup<ReadOnlySpan<byte>>();
            if (lookup.TryGetValue(subject, out var entry))
            {
                if (entry.ExpiresAt > now)
                {
                    routed = entry.Routed;
                    return true;
                }

                lookup.Remove(subject);
                Volatile.Write(ref _count, _replies.Count);
            }
        }

        routed = [];
        return false;
    }

    /// <summary>Drops what has expired (called from the server's timer too, so an idle client's map empties).</summary>
    public void RemoveExpired(long now)
    {
        lock (_replies)
        {
            foreach (var (key, entry) in _replies)
            {
                if (entry.ExpiresAt <= now)
                {
                    _replies.Remove(key);
                }
            }

            Volatile.Write(ref _count, _replies.Count);
        }
    }
}
