using System.Text;
using Modular.Core.Delivery;
using Modular.Core.Subjects;

namespace Modular.Core.Tests.Routing;

/// <summary>
/// A peer server's connection that records every copy it was sent: the account and the queue groups
/// named. <paramref name="otherCluster"/> plays a gateway to another cluster; <paramref name="leafHub"/>
/// a leaf node that dialed this server (outside the mesh, spreading like a local client),
/// <paramref name="leafSpoke"/> the leaf connection this server dialed to its hub.
/// </summary>
internal sealed class FakePeer(ulong id, bool otherCluster = false, bool leafHub = false, bool leafSpoke = false, string? leafCluster = null) : IMessagePeer
{
    private readonly byte[] _leafCluster = leafCluster is null ? [] : Encoding.UTF8.GetBytes(leafCluster);

    public ReadOnlySpan<byte> RemoteLeafCluster => _leafCluster;

    public ulong Id { get; } = id;

    public bool IsOtherCluster { get; } = otherCluster;

    public bool TakesMeshTraffic { get; } = leafHub;

    public bool IsQueueFallback { get; } = otherCluster || leafHub || leafSpoke;

    public bool SpreadsLikeLocal { get; } = leafHub;

    public List<(string Account, string Queues)> Copies { get; } = new();

    public int Count => Copies.Count;

    public bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch)
    {
        var names = queues is null ? "" : string.Join(' ', queues.Select(q => Encoding.UTF8.GetString(q)));
        Copies.Add((Encoding.UTF8.GetString(account), names));
        return true;
    }

    /// <summary>Interest the peer announced (RS+); <paramref name="weight"/> is its member count for a queue.</summary>
    public Subscription Interest(string subject, string? queue = null, int weight = 1) =>
        new(this, Encoding.UTF8.GetBytes(subject), queue is null ? null : Encoding.UTF8.GetBytes(queue), [])
        {
            Weight = weight,
        };
}
