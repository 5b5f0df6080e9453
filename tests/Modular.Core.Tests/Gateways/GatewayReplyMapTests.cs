using System.Text;
using Modular.Core.Gateways;

namespace Modular.Core.Tests.Gateways;

public class GatewayReplyMapTests
{
    private static readonly byte[] Routed = Encoding.ASCII.GetBytes("_GR_.abcdef.ghijkl._INBOX.x.1");

    [Fact]
    public void Track_RoutedReply_ClientSeesOriginalAndItsAnswerMapsBack()
    {
        var map = new GatewayReplyMap();
        Assert.True(map.IsEmpty);
        Assert.Equal("_INBOX.x.1", Encoding.ASCII.GetString(map.Track(Routed, now: 1000)));
        Assert.False(map.IsEmpty);
        Assert.True(map.TryMap("_INBOX.x.1"u8, now: 1500, out var routed));
        Assert.Equal(Routed, routed);
        Assert.False(map.TryMap("_INBOX.x.2"u8, now: 1500, out _));
    }

    [Fact]
    public void TryMap_AfterExpiry_NotMappedAndForgotten()
    {
        var map = new GatewayReplyMap();
        map.Track(Routed, now: 1000);
        Assert.False(map.TryMap("_INBOX.x.1"u8, now: 1000 + (long)GatewayReplyMap.Expiry.TotalMilliseconds, out _));
        Assert.True(map.IsEmpty);
    }
}
