using System.Text;
using Modular.Core.Delivery;
using Modular.Core.Subjects;

namespace Modular.Core.Tests.Routing;

/// <summary>A local session that records what it was delivered; <see cref="Accepts"/> false plays a closed or slow one.</summary>
internal sealed class FakeSubscriber(ulong id) : ISubscriber
{
    public ulong Id { get; } = id;

    public bool Accepts { get; set; } = true;

    public List<Subscription> Delivered { get; } = new();

    public int Count => Delivered.Count;

    public bool Deliver(Subscription subscription, in OutboundMessage message, FlushBatch batch)
    {
        if (!Accepts)
        {
            return false;
        }

        Delivered.Add(subscription);
        return true;
    }

    public Subscription Subscribe(string subject, string? queue = null) =>
        new(this, Encoding.UTF8.GetBytes(subject), queue is null ? null : Encoding.UTF8.GetBytes(queue), Encoding.ASCII.GetBytes(subject));
}
