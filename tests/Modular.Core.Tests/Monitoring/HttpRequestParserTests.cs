using System.Text;
using Modular.Core.Monitoring;

namespace Modular.Core.Tests.Monitoring;

public class HttpRequestParserTests
{
    private static (bool Ok, HttpRequestHead Head, int Status) Parse(string head)
    {
        bool ok = HttpRequestParser.TryParse(Encoding.ASCII.GetBytes(head), out HttpRequestHead parsed, out int status, out _);
        return (ok, parsed, status);
    }

    [Fact]
    public void TryParse_SimpleGet_PathQueryHost()
    {
        var (ok, head, _) = Parse("GET /connz?subs=1&limit=5 HTTP/1.1\r\nHost: localhost:8222\r\nUser-Agent: test\r\n\r\n");
        Assert.True(ok);
        Assert.Equal("GET", head.Method);
        Assert.Equal("/connz", head.Path);
        Assert.Equal("subs=1&limit=5", head.Query);
        Assert.Equal("localhost:8222", head.Host);
        Assert.False(head.HasBody);
    }

    [Fact]
    public void TryParse_AbsoluteFormAndEscapedPath_Decoded()
    {
        var (ok, head, _) = Parse("GET http://h:8222/%76arz?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.True(ok);
        Assert.Equal("/varz", head.Path);
        Assert.Equal("x=1", head.Query);
    }

    [Fact]
    public void TryParse_Http10WithoutHost_Accepted() => Assert.True(Parse("GET / HTTP/1.0\n\n").Ok);

    [Fact]
    public void TryParse_ContentLength_HasBody() =>
        Assert.True(Parse("POST /varz HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\n").Head.HasBody);

    [Theory]
    [InlineData("garbage\r\n\r\n", 400)]
    [InlineData("GET /varz\r\n\r\n", 400)]
    [InlineData("GET  /varz HTTP/1.1\r\nHost: h\r\n\r\n", 400)]
    [InlineData("GET varz HTTP/1.1\r\nHost: h\r\n\r\n", 400)]
    [InlineData("GET /varz HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET /varz HTTP/2.0\r\nHost: h\r\n\r\n", 505)]
    [InlineData("GET /varz FOO/1.1\r\nHost: h\r\n\r\n", 400)]
    [InlineData("G(T /varz HTTP/1.1\r\nHost: h\r\n\r\n", 400)]
    [InlineData("GET /varz HTTP/1.1\r\nHost h\r\n\r\n", 400)]
    [InlineData("GET /varz HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400)]
    [InlineData("GET /varz HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n", 400)]
    [InlineData("GET /varz HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("GET /va%zzrz HTTP/1.1\r\nHost: h\r\n\r\n", 400)]
    [InlineData("GET /v%00 HTTP/1.1\r\nHost: h\r\n\r\n", 400)]
    [InlineData("\r\n\r\n", 400)]
    public void TryParse_Malformed_Rejected(string head, int status)
    {
        var (ok, _, actual) = Parse(head);
        Assert.False(ok);
        Assert.Equal(status, actual);
    }

    [Fact]
    public void TryParse_NonAsciiBytes_Rejected()
    {
        byte[] bytes = [.. Encoding.ASCII.GetBytes("GET /"), 0xC3, 0xA9, .. Encoding.ASCII.GetBytes(" HTTP/1.1\r\nHost: h\r\n\r\n")];
        Assert.False(HttpRequestParser.TryParse(bytes, out _, out int status, out _));
        Assert.Equal(400, status);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 18)]
    [InlineData("GET / HTTP/1.1\n\nrest", 16)]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n", -1)]
    public void FindHeadEnd_Terminators(string text, int expected) =>
        Assert.Equal(expected, HttpRequestParser.FindHeadEnd(Encoding.ASCII.GetBytes(text)));
}
