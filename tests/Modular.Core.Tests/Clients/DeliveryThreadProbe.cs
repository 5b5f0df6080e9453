using System.Text;
using Modular.Core.Accounts;
using Modular.Core.Delivery;
using Modular.Core.Subjects;

namespace Modular.Core.Tests.Clients;

/// <summary>
/// A subscriber put in an account's index beside the real ones, for allocation tests: it counts
/// the messages the router handed it on the thread the test measures, so a test can prove that
/// the thread whose allocations it read is the one that parsed, matched and delivered. It does
/// not allocate itself.
/// </summary>
internal sealed class DeliveryThreadProbe : ISubscriber
{
    private int _measuredThread = -1;
    private long _onMeasuredThread;

    public ulong Id => ulong.MaxValue;

    /// <summary>Messages delivered on the thread last named by <see cref="MeasureThisThread"/>.</summary>
    public long OnMeasuredThread => Interlocked.Read(ref _onMeasuredThread);

    public static DeliveryThreadProbe SubscribeIn(Account account, string subject)
    {
        var probe = new DeliveryThreadProbe();
        account.Subscriptions.Insert(new Subscription(probe, Encoding.UTF8.GetBytes(subject), null, "probe"u8.ToArray()));
        return probe;
    }

    /// <summary>From now on, deliveries on the calling thread are the ones counted.</summary>
    public void MeasureThisThread() => Volatile.Write(ref _measuredThread, Environment.CurrentManagedThreadId);

    public bool Deliver(Subscription subscription, in OutboundMessage message, FlushBatch batch)
    {
        if (Environment.CurrentManagedThreadId == Volatile.Read(ref _measuredThread))
        {
            Interlocked.Increment(ref _onMeasuredThread);
        }

        return true;
    }
}
