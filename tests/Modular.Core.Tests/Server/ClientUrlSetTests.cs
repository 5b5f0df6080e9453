using Modular.Core.Server;

namespace Modular.Core.Tests.Server;

public class ClientUrlSetTests
{
    [Fact]
    public void NoPeerYet_AdvertisesNothing_AsNatsServer()
    {
        var set = new ClientUrlSet();
        set.SetOwn(["127.0.0.1:4222"]);
        Assert.Null(set.Advertised);
        Assert.Equal(new[] { "127.0.0.1:4222" }, set.Own);
    }

    [Fact]
    public void PeersJoinAndLeave_OwnFirst_ChangesReportedOnce()
    {
        var set = new ClientUrlSet();
        set.SetOwn(["127.0.0.1:4222"]);
        var version = set.Version;

        Assert.True(set.AddPeerUrls(["127.0.0.1:4223"]));
        Assert.True(set.AddPeerUrls(["127.0.0.1:4224"]));
        Assert.Equal(new[] { "127.0.0.1:4222", "127.0.0.1:4223", "127.0.0.1:4224" }, set.Advertised!);
        Assert.True(set.Version > version);

        version = set.Version;
        Assert.False(set.AddPeerUrls(["127.0.0.1:4223"]), "a URL already listed is no change");
        Assert.Equal(version, set.Version);

        // Counted: the second instance of the URL keeps it listed when the first leaves.
        Assert.False(set.RemovePeerUrls(["127.0.0.1:4223"]));
        Assert.True(set.RemovePeerUrls(["127.0.0.1:4223"]));
        Assert.False(set.RemovePeerUrls(["127.0.0.1:4223"]), "removing an unknown URL is no change");
        Assert.Equal(new[] { "127.0.0.1:4222", "127.0.0.1:4224" }, set.Advertised!);

        // The last peer gone: the server still lists itself, as nats-server does.
        Assert.True(set.RemovePeerUrls(["127.0.0.1:4224"]));
        Assert.Equal(new[] { "127.0.0.1:4222" }, set.Advertised!);
    }

    [Fact]
    public void WithdrawOwn_ListsOnlyTheOthers_FromThenOn()
    {
        var set = new ClientUrlSet();
        set.SetOwn(["127.0.0.1:4222"]);
        set.AddPeerUrls(["127.0.0.1:4223"]);

        set.WithdrawOwn();
        Assert.Equal(new[] { "127.0.0.1:4223" }, set.Advertised!);
        Assert.Empty(set.Own);

        set.AddPeerUrls(["127.0.0.1:4224"]);
        Assert.Equal(new[] { "127.0.0.1:4223", "127.0.0.1:4224" }, set.Advertised!);
    }

    [Fact]
    public void WithdrawOwn_WithoutPeers_ListsNothing()
    {
        var set = new ClientUrlSet();
        set.SetOwn(["127.0.0.1:4222"]);
        set.WithdrawOwn();
        Assert.Empty(set.Advertised!);
    }
}
