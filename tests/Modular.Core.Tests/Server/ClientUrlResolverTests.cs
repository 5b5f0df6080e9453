using Modular.Core.Server;

namespace Modular.Core.Tests.Server;

public class ClientUrlResolverTests
{
    [Theory]
    [InlineData("127.0.0.1", 4222, "127.0.0.1:4222")]
    [InlineData("localhost", 4222, "localhost:4222")]
    [InlineData("::1", 4222, "[::1]:4222")]
    public void SpecificListenHost_IsTheUrl(string host, int port, string expected)
    {
        Assert.Equal(new[] { expected }, ClientUrlResolver.Resolve(null, host, port));
    }

    [Theory]
    [InlineData("nats.example.com:5222", "nats.example.com:5222")]
    [InlineData("nats.example.com", "nats.example.com:4222")]
    [InlineData("[2001:db8::1]:5222", "[2001:db8::1]:5222")]
    public void Advertise_WinsOverTheListenAddress_PortDefaultsToTheBoundOne(string advertise, string expected)
    {
        Assert.Equal(new[] { expected }, ClientUrlResolver.Resolve(advertise, "0.0.0.0", 4222));
        var (host, port) = ClientUrlResolver.InfoHostPort(advertise, "0.0.0.0", 4222);
        Assert.Equal(expected, ClientUrlResolver.Join(host, port));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void EveryInterface_ListsThisMachinesAddresses_NeverTheUnspecifiedOne(string host)
    {
        var urls = ClientUrlResolver.Resolve(null, host, 4222);
        Assert.NotEmpty(urls);
        Assert.All(urls, url =>
        {
            Assert.EndsWith(":4222", url, StringComparison.Ordinal);
            Assert.DoesNotContain("0.0.0.0", url, StringComparison.Ordinal);
            Assert.False(url.StartsWith("[::]", StringComparison.Ordinal), url);
            Assert.False(url.StartsWith("[fe80", StringComparison.OrdinalIgnoreCase), "link-local: " + url);
        });
    }
}
