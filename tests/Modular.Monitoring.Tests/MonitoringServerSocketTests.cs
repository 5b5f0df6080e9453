using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Monitoring;

namespace Modular.Monitoring.Tests;

/// <summary>The monitoring server over a real loopback socket on an ephemeral port.</summary>
public sealed class MonitoringServerSocketTests : IAsyncLifetime
{
    private readonly FakeMonitoredServer _server = new();
    private MonitoringServer _monitor = null!;

    public async Task InitializeAsync()
    {
        _monitor = new MonitoringServer(_server, new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        await _monitor.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _monitor.DisposeAsync();

    private sealed record RawResponse(int Status, Dictionary<string, string> Headers, string Body);

    /// <summary>Sends <paramref name="request"/> on a new connection and reads one response (by its Content-Length).</summary>
    private async Task<RawResponse> SendAsync(byte[] request, bool closeSend = false)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(_monitor.EndPoint, timeout.Token);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(request, timeout.Token);
        if (closeSend)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        return await ReadResponseAsync(stream, head: false, timeout.Token);
    }

    private Task<RawResponse> GetAsync(string target) =>
        SendAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n"));

    /// <summary>One response from a kept-alive connection: the head up to the blank line, then Content-Length bytes (none for HEAD).</summary>
    private static async Task<RawResponse> ReadResponseAsync(Stream stream, bool head, CancellationToken cancellationToken)
    {
        var headBytes = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(headBytes))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new EndOfStreamException("connection closed inside a response head: " + Encoding.ASCII.GetString(headBytes.ToArray()));
            }

            headBytes.Add(one[0]);
        }

        string text = Encoding.ASCII.GetString(headBytes.ToArray());
        string[] lines = text[..^4].Split("\r\n");
        string[] statusLine = lines[0].Split(' ', 3);
        Assert.Equal("HTTP/1.1", statusLine[0]);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        int length = int.Parse(headers["Content-Length"], System.Globalization.CultureInfo.InvariantCulture);
        byte[] body = new byte[head ? 0 : length];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return new RawResponse(int.Parse(statusLine[1], System.Globalization.CultureInfo.InvariantCulture), headers, Encoding.UTF8.GetString(body));
    }

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';

    [Fact]
    public void EndPoint_PortZero_RealPortBound()
    {
        Assert.Equal(IPAddress.Loopback, _monitor.EndPoint.Address);
        Assert.NotEqual(0, _monitor.EndPoint.Port);
    }

    [Fact]
    public async Task Get_Healthz_200Json()
    {
        RawResponse r = await GetAsync("/healthz");
        Assert.Equal(200, r.Status);
        Assert.Equal("application/json", r.Headers["Content-Type"]);
        Assert.Equal("*", r.Headers["Access-Control-Allow-Origin"]);
        Assert.False(r.Headers.ContainsKey("Connection"), "kept alive, not closed");
        Assert.Equal("{\"status\":\"ok\"}", r.Body);
    }

    [Fact]
    public async Task KeepAlive_ManyRequestsOnOneConnection_AllAnswered()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(_monitor.EndPoint, timeout.Token);
        NetworkStream stream = client.GetStream();
        foreach (string path in new[] { "/varz", "/healthz", "/connz", "/nope", "/healthz" })
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"), timeout.Token);
            RawResponse r = await ReadResponseAsync(stream, head: false, timeout.Token);
            Assert.Equal(path == "/nope" ? 404 : 200, r.Status);
        }
    }

    [Fact]
    public async Task Pipelining_RequestsInOneWrite_AnsweredInOrder()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(_monitor.EndPoint, timeout.Token);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" +
            "GET /varz HTTP/1.1\r\nHost: x\r\n\r\n" +
            "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n" +
            "GET /healthz?callback=cb HTTP/1.1\r\nHost: x\r\n\r\n"), timeout.Token);

        Assert.Equal("{\"status\":\"ok\"}", (await ReadResponseAsync(stream, head: false, timeout.Token)).Body);
        Assert.Contains("\"server_id\"", (await ReadResponseAsync(stream, head: false, timeout.Token)).Body);
        Assert.Equal("15", (await ReadResponseAsync(stream, head: true, timeout.Token)).Headers["Content-Length"]);
        Assert.Equal("cb({\"status\":\"ok\"})", (await ReadResponseAsync(stream, head: false, timeout.Token)).Body);
    }

    [Fact]
    public async Task Get_HealthzWhileNotAccepting_500()
    {
        _server.IsAcceptingClients = false;
        RawResponse r = await GetAsync("/healthz");
        Assert.Equal(500, r.Status);
        Assert.Contains("\"status\":\"error\"", r.Body);
    }

    [Fact]
    public async Task Get_Varz_ReportsBoundHttpPort()
    {
        RawResponse r = await GetAsync("/varz");
        Assert.Equal(200, r.Status);
        var varz = JsonAssert.Parse(Encoding.UTF8.GetBytes(r.Body));
        Assert.Equal(_monitor.EndPoint.Port, varz.GetProperty("http_port").GetInt32());
        Assert.Equal("127.0.0.1", varz.GetProperty("http_host").GetString());
        Assert.True(varz.GetProperty("mem").GetInt64() > 0);
    }

    [Fact]
    public async Task Get_UnknownPath_404()
    {
        RawResponse r = await GetAsync("/does-not-exist");
        Assert.Equal(404, r.Status);
        Assert.Equal("404 page not found\n", r.Body);
    }

    [Fact]
    public async Task Post_Varz_405WithAllow()
    {
        RawResponse r = await SendAsync(Encoding.ASCII.GetBytes("POST /varz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
        Assert.Equal(405, r.Status);
        Assert.Equal("GET, HEAD", r.Headers["Allow"]);
    }

    [Fact]
    public async Task Post_BinaryBody_405NotConfusedWithHead()
    {
        byte[] request = [.. Encoding.ASCII.GetBytes("POST /varz HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n"), 0xFF, 0x00, 0x80, 0x01];
        Assert.Equal(405, (await SendAsync(request)).Status);
    }

    [Fact]
    public async Task Garbage_BinaryWithoutTerminator_400WithoutWaitingForTimeout()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        RawResponse r = await SendAsync([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);
        Assert.Equal(400, r.Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "answered only after " + watch.Elapsed);
    }

    [Fact]
    public async Task Head_Healthz_HeadersOnly()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(_monitor.EndPoint, timeout.Token);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), timeout.Token);
        RawResponse head = await ReadResponseAsync(stream, head: true, timeout.Token);
        Assert.Equal(200, head.Status);
        Assert.Equal("15", head.Headers["Content-Length"]);

        // No body followed the head: the next bytes on the connection are the next response's status line.
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), timeout.Token);
        Assert.Equal("{\"status\":\"ok\"}", (await ReadResponseAsync(stream, head: false, timeout.Token)).Body);
    }

    [Fact]
    public async Task Get_BadBoolParameter_400()
    {
        RawResponse r = await GetAsync("/connz?auth=perhaps");
        Assert.Equal(400, r.Status);
        Assert.StartsWith("Error decoding boolean for 'auth'", r.Body);
    }

    [Fact]
    public async Task Get_Callback_Jsonp()
    {
        RawResponse r = await GetAsync("/healthz?callback=show");
        Assert.Equal("application/javascript", r.Headers["Content-Type"]);
        Assert.Equal("show({\"status\":\"ok\"})", r.Body);
    }

    [Fact]
    public async Task Get_MappedRoutez_Served()
    {
        _monitor.MapGet("/routez", _ => MonitorResponse.Json(new { routes = Array.Empty<object>() }));
        RawResponse r = await GetAsync("/routez");
        Assert.Equal(200, r.Status);
        Assert.Contains("\"routes\": []", r.Body);
    }

    [Theory]
    [InlineData("garbage\r\n\r\n")]
    [InlineData("GET /varz HTTP/9.9\r\n\r\n")]
    [InlineData("\u0001\u0002\u0003\r\n\r\n")]
    [InlineData("GET /varz HTTP/1.1\r\nno colon here\r\n\r\n")]
    public async Task Garbage_Request_ErrorStatusAndServerSurvives(string garbage)
    {
        RawResponse bad = await SendAsync(Encoding.ASCII.GetBytes(garbage));
        Assert.InRange(bad.Status, 400, 505);
        Assert.Equal(200, (await GetAsync("/healthz")).Status);
    }

    [Fact]
    public async Task Garbage_HalfRequestThenClose_ClosedPromptlyAndServerSurvives()
    {
        // Kestrel, like Go's net/http in nats-server, closes a connection whose peer ended inside a
        // request line, either with a 400 or without a word; either way at once, not at a timeout.
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await client.ConnectAsync(_monitor.EndPoint, timeout.Token);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /varz HT"), timeout.Token);
        client.Client.Shutdown(SocketShutdown.Send);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        string answer = Encoding.ASCII.GetString(received.ToArray());
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 400 ", StringComparison.Ordinal), "answered: " + answer);
        Assert.Equal(200, (await GetAsync("/healthz")).Status);
    }

    [Fact]
    public async Task Garbage_ConnectAndDropWithoutSending_ServerSurvives()
    {
        for (int i = 0; i < 20; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(_monitor.EndPoint);
            client.Client.LingerState = new LingerOption(true, 0);
        }

        Assert.Equal(200, (await GetAsync("/healthz")).Status);
    }

    [Fact]
    public async Task Garbage_RandomBytes_ServerSurvives()
    {
        var random = new Random(42);
        for (int i = 0; i < 10; i++)
        {
            byte[] junk = new byte[random.Next(1, 3000)];
            random.NextBytes(junk);
            using var client = new TcpClient();
            await client.ConnectAsync(_monitor.EndPoint);
            NetworkStream stream = client.GetStream();
            try
            {
                await stream.WriteAsync(junk);
                client.Client.Shutdown(SocketShutdown.Send);
                using var sink = new MemoryStream();
                await stream.CopyToAsync(sink);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                // The server may reset a connection it refused to read; only its survival matters.
            }
        }

        Assert.Equal(200, (await GetAsync("/healthz")).Status);
    }

    [Fact]
    public async Task Oversized_RequestHead_431AndServerSurvives()
    {
        string big = "GET /varz HTTP/1.1\r\nHost: x\r\nX-Fill: " + new string('a', MonitoringServer.MaxRequestHeadBytes) + "\r\n\r\n";
        RawResponse r = await SendAsync(Encoding.ASCII.GetBytes(big));
        Assert.Equal(431, r.Status);
        Assert.Equal(200, (await GetAsync("/healthz")).Status);
    }

    [Fact]
    public async Task Concurrent_ManyRequests_AllAnswered()
    {
        RawResponse[] results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => GetAsync("/varz")));
        Assert.All(results, r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task Dispose_StopsListening()
    {
        IPEndPoint endPoint = _monitor.EndPoint;
        await _monitor.DisposeAsync();
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(async () => await client.ConnectAsync(endPoint));
    }

    [Fact]
    public async Task Start_PortInUse_Throws()
    {
        await using var second = new MonitoringServer(_server, _monitor.EndPoint, NullLogger.Instance);
        Assert.Throws<SocketException>(() => second.StartAsync(CancellationToken.None).GetAwaiter().GetResult());
    }
}
