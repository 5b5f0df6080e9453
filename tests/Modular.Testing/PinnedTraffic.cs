using NATS.Client.Core;

namespace Modular.Testing;

/// <summary>
/// Which route connections carried an account's messages between two nodes: per-route
/// <c>out_msgs</c> on the publishing node and <c>in_msgs</c> on the receiving node, before and after
/// a burst, split into the route pinned to the account and the others.
/// </summary>
public sealed record RouteTrafficDelta(long PinnedOut, long OtherOut, long PinnedIn, long OtherIn, string Before, string After)
{
    public override string ToString() =>
        $"publisher side: pinned route out_msgs +{PinnedOut}, other routes +{OtherOut}; subscriber side: pinned route in_msgs +{PinnedIn}, other routes +{OtherIn}\nbefore:\n{Before}\nafter:\n{After}";
}

public static class PinnedTraffic
{
    /// <summary>Users of the two accounts the pinning tests use: A (pinned) and B (not).</summary>
    public static readonly IReadOnlyDictionary<string, (string User, string Password)[]> AccountsAB =
        new Dictionary<string, (string User, string Password)[]>
        {
            ["A"] = [("a", "a")],
            ["B"] = [("b", "b")],
        };

    /// <summary>
    /// Publishes <paramref name="count"/> messages in <paramref name="account"/> (user = lower-case
    /// account name) from <paramref name="publisherNode"/> to a subscriber on <paramref name="subscriberNode"/>,
    /// checks they all arrive, and returns how the per-route counters between the two nodes moved.
    /// <paramref name="pinnedAccount"/> names the route that counts as "pinned".
    /// </summary>
    public static async Task<RouteTrafficDelta> SendAndMeasureAsync(
        Node publisherNode,
        Node subscriberNode,
        string account,
        string pinnedAccount,
        int count,
        CancellationToken ct)
    {
        var user = account.ToLowerInvariant();
        var subject = $"pin.{account}.{Guid.NewGuid():N}";
        await using var subscriber = await Clients.ConnectAsync(subscriberNode, ct, user, user);
        await using var publisher = await Clients.ConnectAsync(publisherNode, ct, user, user);
        await using var sub = await subscriber.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(publisher, subscriber, ct);

        var publisherId = await MonitorEndpoints.ServerIdAsync(publisherNode, ct);
        var subscriberId = await MonitorEndpoints.ServerIdAsync(subscriberNode, ct);
        var outBefore = (await MonitorEndpoints.RoutezAsync(publisherNode, cancellationToken: ct)).To(subscriberId);
        var inBefore = (await MonitorEndpoints.RoutezAsync(subscriberNode, cancellationToken: ct)).To(publisherId);

        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync(subject, $"m{i}", cancellationToken: ct);
        }

        var received = 0;
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                while (received < count)
                {
                    await sub.Msgs.ReadAsync(wait.Token);
                    received++;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"account {account}: {received} of {count} messages from {publisherNode.Name} reached {subscriberNode.Name}");
            }
        }

        // The counters are read after delivery: nothing of this burst is still in flight.
        var outAfter = (await MonitorEndpoints.RoutezAsync(publisherNode, cancellationToken: ct)).To(subscriberId);
        var inAfter = (await MonitorEndpoints.RoutezAsync(subscriberNode, cancellationToken: ct)).To(publisherId);
        return new RouteTrafficDelta(
            Delta(outBefore, outAfter, pinnedAccount, pinned: true, r => r.OutMsgs),
            Delta(outBefore, outAfter, pinnedAccount, pinned: false, r => r.OutMsgs),
            Delta(inBefore, inAfter, pinnedAccount, pinned: true, r => r.InMsgs),
            Delta(inBefore, inAfter, pinnedAccount, pinned: false, r => r.InMsgs),
            $"{publisherNode.Name} -> {subscriberNode.Name}: {Show(outBefore)}\n{subscriberNode.Name} <- {publisherNode.Name}: {Show(inBefore)}",
            $"{publisherNode.Name} -> {subscriberNode.Name}: {Show(outAfter)}\n{subscriberNode.Name} <- {publisherNode.Name}: {Show(inAfter)}");
    }

    private static long Delta(IReadOnlyList<RouteEntry> before, IReadOnlyList<RouteEntry> after, string pinnedAccount, bool pinned, Func<RouteEntry, long> counter)
    {
        long sum = 0;
        foreach (var route in after.Where(r => (r.Account == pinnedAccount) == pinned))
        {
            var old = before.FirstOrDefault(b => b.Rid == route.Rid);
            sum += counter(route) - (old is null ? 0 : counter(old));
        }

        return sum;
    }

    private static string Show(IReadOnlyList<RouteEntry> routes) =>
        string.Join("; ", routes.Select(r => $"rid {r.Rid} {r.Account ?? "pooled"} in={r.InMsgs} out={r.OutMsgs}"));
}
