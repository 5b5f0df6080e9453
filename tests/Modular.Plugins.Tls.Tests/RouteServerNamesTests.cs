using System.Net;

namespace Modular.Plugins.Tls.Tests;

public sealed class RouteServerNamesTests
{
    private static Task<IPAddress[]> Resolve(string host, CancellationToken _) => Task.FromResult(host switch
    {
        "n2.example" => new[] { IPAddress.Parse("10.0.0.2") },
        "n3.example" => new[] { IPAddress.Parse("10.0.0.3") },
        _ => Array.Empty<IPAddress>(),
    });

    private static readonly Uri[] Routes = [new("nats-route://u:p@n2.example:6222"), new("nats-route://n3.example:6222")];

    [Fact]
    public async Task For_AddressOfAConfiguredHost_IsThatHostNameNotTheAddress()
    {
        var names = new RouteServerNames(null, Routes, Resolve);

        Assert.Equal("n3.example", await names.ForAsync(new IPEndPoint(IPAddress.Parse("10.0.0.3"), 6222), default));
        Assert.Equal("n2.example", await names.ForAsync(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 6222), default));
    }

    [Fact]
    public async Task For_UnknownAddress_FirstConfiguredHostName()
    {
        var names = new RouteServerNames(null, Routes, Resolve);

        Assert.Equal("n2.example", await names.ForAsync(new IPEndPoint(IPAddress.Parse("10.0.0.9"), 6222), default));
    }

    [Fact]
    public async Task For_ServerNameSet_AlwaysThatName()
    {
        var names = new RouteServerNames("cluster.internal", Routes, Resolve);

        Assert.Equal("cluster.internal", await names.ForAsync(new IPEndPoint(IPAddress.Parse("10.0.0.3"), 6222), default));
    }

    [Fact]
    public async Task For_OnlyAddressRoutes_TheAddressLiteral()
    {
        var names = new RouteServerNames(null, [new Uri("nats-route://10.0.0.5:6222")], Resolve);

        Assert.Equal("10.0.0.5", await names.ForAsync(new IPEndPoint(IPAddress.Parse("10.0.0.5"), 6222), default));
    }
}
