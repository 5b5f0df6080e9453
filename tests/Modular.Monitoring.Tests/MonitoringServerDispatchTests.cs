using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Monitoring;

namespace Modular.Monitoring.Tests;

public class MonitoringServerDispatchTests
{
    private static MonitoringServer Create(FakeMonitoredServer? server = null) =>
        new(server ?? new FakeMonitoredServer(), new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);

    private static string Body(MonitorResponse r) => Encoding.UTF8.GetString(r.Body);

    [Theory]
    [InlineData("/")]
    [InlineData("/varz")]
    [InlineData("/connz")]
    [InlineData("/subsz")]
    [InlineData("/subscriptionsz")]
    [InlineData("/accountz")]
    [InlineData("/healthz")]
    public async Task Dispatch_KnownPath_200(string path)
    {
        await using MonitoringServer monitor = Create();
        Assert.Equal(200, monitor.Dispatch(MonitorRequest.Get(path)).StatusCode);
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/varz/")]
    [InlineData("/VARZ")]
    [InlineData("/routez")]
    public async Task Dispatch_UnknownPath_404(string path)
    {
        await using MonitoringServer monitor = Create();
        MonitorResponse r = monitor.Dispatch(MonitorRequest.Get(path));
        Assert.Equal(404, r.StatusCode);
        Assert.Equal("404 page not found\n", Body(r));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Dispatch_NonGet_405(string method)
    {
        await using MonitoringServer monitor = Create();
        Assert.Equal(405, monitor.Dispatch(new MonitorRequest(method, "/varz", QueryString.Empty, null)).StatusCode);
    }

    [Fact]
    public async Task Dispatch_BadBool_400PlainText()
    {
        await using MonitoringServer monitor = Create();
        MonitorResponse r = monitor.Dispatch(MonitorRequest.Get("/connz?subs=xxx"));
        Assert.Equal(400, r.StatusCode);
        Assert.StartsWith("text/plain", r.ContentType);
        Assert.Equal("Error decoding boolean for 'subs': strconv.ParseBool: parsing \"xxx\": invalid syntax", Body(r));
    }

    [Fact]
    public async Task Dispatch_UnknownAccount_400()
    {
        await using MonitoringServer monitor = Create();
        MonitorResponse r = monitor.Dispatch(MonitorRequest.Get("/accountz?acc=NOPE"));
        Assert.Equal(400, r.StatusCode);
        Assert.Equal("Account NOPE does not exist", Body(r));
    }

    [Fact]
    public async Task Dispatch_Callback_Jsonp()
    {
        await using MonitoringServer monitor = Create();
        MonitorResponse r = monitor.Dispatch(MonitorRequest.Get("/healthz?callback=cb"));
        Assert.Equal("application/javascript", r.ContentType);
        Assert.Equal("cb({\"status\":\"ok\"})", Body(r));
    }

    [Fact]
    public async Task Dispatch_CallbackWithScript_400()
    {
        await using MonitoringServer monitor = Create();
        Assert.Equal(400, monitor.Dispatch(MonitorRequest.Get("/varz?callback=alert(1)%3B//")).StatusCode);
    }

    [Fact]
    public async Task Dispatch_HandlerThrows_500()
    {
        await using MonitoringServer monitor = Create();
        monitor.MapGet("/boom", _ => throw new InvalidOperationException("boom"));
        Assert.Equal(500, monitor.Dispatch(MonitorRequest.Get("/boom")).StatusCode);
    }

    [Fact]
    public async Task MapGet_NewPath_Served()
    {
        await using MonitoringServer monitor = Create();
        monitor.MapGet("/routez", _ => MonitorResponse.Json(new { num_routes = 0 }));
        MonitorResponse r = monitor.Dispatch(MonitorRequest.Get("/routez"));
        Assert.Equal(200, r.StatusCode);
        Assert.Equal("{\n  \"num_routes\": 0\n}", Body(r));
        Assert.Contains("/routez", monitor.Paths);
    }

    [Fact]
    public async Task MapGet_PathWithoutSlash_Throws()
    {
        await using MonitoringServer monitor = Create();
        Assert.Throws<ArgumentException>(() => monitor.MapGet("routez", _ => MonitorResponse.NotFound()));
    }

    [Fact]
    public async Task Dispatch_Varz_CountsRequestsInHttpReqStats()
    {
        await using MonitoringServer monitor = Create();
        monitor.Dispatch(MonitorRequest.Get("/connz"));
        monitor.Dispatch(MonitorRequest.Get("/subscriptionsz"));
        monitor.Dispatch(MonitorRequest.Get("/varz"));
        var varz = JsonAssert.Parse(monitor.Dispatch(MonitorRequest.Get("/varz")).Body);
        var stats = varz.GetProperty("http_req_stats");
        Assert.Equal(2, stats.GetProperty("/varz").GetInt64());
        Assert.Equal(1, stats.GetProperty("/connz").GetInt64());
        Assert.Equal(1, stats.GetProperty("/subsz").GetInt64());
    }

    [Fact]
    public async Task Dispatch_Root_SelfContainedHtml()
    {
        await using MonitoringServer monitor = Create();
        MonitorResponse r = monitor.Dispatch(MonitorRequest.Get("/"));
        Assert.StartsWith("text/html", r.ContentType);
        string html = Body(r);
        foreach (string link in new[] { "href=\"varz\"", "href=\"connz\"", "href=\"routez\"", "href=\"subsz\"", "href=\"accountz\"", "href=\"healthz\"" })
        {
            Assert.Contains(link, html);
        }

        Assert.Contains("no routes", html);
        Assert.Contains("setInterval(tick, 1000)", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal));
        Assert.DoesNotContain("https://", html);
    }
}
