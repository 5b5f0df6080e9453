using Modular.Abstractions.Transport;

namespace Modular.Plugins.Tls.Tests;

public sealed class RouteServerNamesTests
{
    private static readonly Uri[] Routes = [new("nats-route://u:p@n2.example:6222"), new("nats-route://n3.example:6222")];

    [Fact]
    public void For_DialedHostName_IsThatHostNameNotAnAddress()
    {
        var names = new RouteServerNames(null, Routes);

        Assert.Equal("n3.example", names.For(new DialedUrl(new Uri("nats-route://n3.example:6222"))));
        Assert.Equal("seed.example", names.For(new DialedUrl(new Uri("nats-route://seed.example:6222"))));
    }

    [Fact]
    public void For_DialedAddress_FirstConfiguredHostName()
    {
        var names = new RouteServerNames(null, Routes);

        Assert.Equal("n2.example", names.For(new DialedUrl(new Uri("nats-route://10.0.0.9:6222"))));
    }

    [Fact]
    public void For_ServerNameSet_AlwaysThatName()
    {
        var names = new RouteServerNames("cluster.internal", Routes);

        Assert.Equal("cluster.internal", names.For(new DialedUrl(new Uri("nats-route://n3.example:6222"))));
    }

    [Fact]
    public void For_OnlyAddressRoutes_TheAddressLiteral()
    {
        var names = new RouteServerNames(null, [new Uri("nats-route://10.0.0.5:6222")]);

        Assert.Equal("10.0.0.5", names.For(new DialedUrl(new Uri("nats-route://10.0.0.5:6222"))));
    }
}
