using Modular.Core.Config;

namespace Modular.Core.Tests.Config;

public class HostPortParserTests
{
    [Theory]
    [InlineData("0.0.0.0:4222", "0.0.0.0", 4222)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("localhost:65535", "localhost", 65535)]
    [InlineData("[::1]:6222", "::1", 6222)]
    [InlineData("[::]:4222", "::", 4222)]
    [InlineData(":4222", "0.0.0.0", 4222)]
    [InlineData("server-1.example.com:7422", "server-1.example.com", 7422)]
    public void TryParse_HostAndPort_ReturnsBoth(string text, string host, int port)
    {
        Assert.True(HostPortParser.TryParse(text, null, out var parsedHost, out var parsedPort, out var error), error);
        Assert.Equal(host, parsedHost);
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("4222")]
    [InlineData("0.0.0.0")]
    [InlineData("0.0.0.0:")]
    [InlineData("0.0.0.0:65536")]
    [InlineData("0.0.0.0:-1")]
    [InlineData("0.0.0.0:http")]
    [InlineData("::1:4222")]
    [InlineData("[::1")]
    [InlineData("[not-v6]:4222")]
    [InlineData("bad host:4222")]
    public void TryParse_BadAddress_ReturnsFalseWithReason(string text)
    {
        Assert.False(HostPortParser.TryParse(text, null, out _, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void TryParse_MissingPortWithDefault_UsesDefault()
    {
        Assert.True(HostPortParser.TryParse("10.0.0.1", 6222, out var host, out var port, out _));
        Assert.Equal("10.0.0.1", host);
        Assert.Equal(6222, port);
    }
}
