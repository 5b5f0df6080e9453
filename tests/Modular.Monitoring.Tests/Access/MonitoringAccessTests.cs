using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Config;
using Modular.Core.Server;

namespace Modular.Monitoring.Tests.Access;

/// <summary>Who may read monitoring and where: a token, basic auth, a base path, HTTPS.</summary>
public sealed class MonitoringAccessTests
{
    private static async Task<MonitoringServer> StartAsync(MonitoringListenOptions options)
    {
        var monitoring = new MonitoringServer(new FakeMonitoredServer(), options, NullLogger.Instance);
        await monitoring.StartAsync();
        return monitoring;
    }

    private static MonitoringListenOptions Loopback() => new(new IPEndPoint(IPAddress.Loopback, 0));

    private static async Task<HttpStatusCode> GetStatusAsync(HttpClient http, string url, AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = authorization;
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    [Fact]
    public async Task Token_RequestWithoutOrWithWrongBearer_401_RightBearer_200()
    {
        await using var monitoring = await StartAsync(new MonitoringListenOptions(new IPEndPoint(IPAddress.Loopback, 0)) { Token = "s3cret" });
        using var http = new HttpClient();
        var varz = monitoring.BaseUrl + "/varz";

        using (var response = await http.GetAsync(varz))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await GetStatusAsync(http, varz, new AuthenticationHeaderValue("Bearer", "s3cre")));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetStatusAsync(http, monitoring.BaseUrl + "/connz", Basic("a", "s3cret")));
        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(http, varz, new AuthenticationHeaderValue("Bearer", "s3cret")));
        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(http, monitoring.BaseUrl + "/metrics", new AuthenticationHeaderValue("Bearer", "s3cret")));
    }

    [Fact]
    public async Task Basic_WrongPassword_401_RightPassword_200_HealthzOpenToProbes()
    {
        var options = Loopback();
        await using var monitoring = await StartAsync(new MonitoringListenOptions(options.Listen) { User = "ops", Password = "pw" });
        using var http = new HttpClient();

        using (var response = await http.GetAsync(monitoring.BaseUrl + "/connz"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await GetStatusAsync(http, monitoring.BaseUrl + "/connz", Basic("ops", "px")));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetStatusAsync(http, monitoring.BaseUrl + "/connz", new AuthenticationHeaderValue("Basic", "!!not-base64")));
        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(http, monitoring.BaseUrl + "/connz", Basic("ops", "pw")));

        // A liveness probe carries no credentials; /healthz tells it only "ok".
        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(http, monitoring.BaseUrl + "/healthz"));
    }

    [Fact]
    public async Task BasePath_EndpointsUnderIt_RootPaths404_BareBaseRedirects()
    {
        await using var monitoring = await StartAsync(new MonitoringListenOptions(new IPEndPoint(IPAddress.Loopback, 0)) { BasePath = "/nats" });
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var root = $"http://{monitoring.EndPoint}";

        Assert.EndsWith("/nats", monitoring.BaseUrl, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(http, root + "/nats/varz"));
        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(http, root + "/nats/"));
        Assert.Equal(HttpStatusCode.NotFound, await GetStatusAsync(http, root + "/varz"));
        Assert.Equal(HttpStatusCode.NotFound, await GetStatusAsync(http, root + "/natsvarz"));
        using var bare = await http.GetAsync(root + "/nats");
        Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.Equal("/nats/", bare.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Tls_FromConfigPemFiles_ServesHttps_VarzReportsHttpsPort()
    {
        var directory = Directory.CreateTempSubdirectory("modular-monitor-tls-").FullName;
        try
        {
            using var certificate = SelfSigned();
            await File.WriteAllTextAsync(Path.Combine(directory, "monitor.pem"), certificate.ExportCertificatePem());
            using (var key = certificate.GetRSAPrivateKey()!)
            {
                await File.WriteAllTextAsync(Path.Combine(directory, "monitor-key.pem"), key.ExportPkcs8PrivateKeyPem());
            }

            var options = ConfigLoader.LoadFromString(
                "[server]\nlisten = \"127.0.0.1:0\"\n[monitor]\nlisten = \"127.0.0.1:0\"\n[monitor.tls]\ncert_file = \"monitor.pem\"\nkey_file = \"monitor-key.pem\"\n",
                Path.Combine(directory, "tls.toml"));
            await using var server = new NatsServer(options, NullLoggerFactory.Instance);
            await using var monitoring = await MonitoringHost.StartAsync(server, options.Monitor, NullLoggerFactory.Instance, directory);
            await server.StartAsync();

            Assert.StartsWith("https://", monitoring!.BaseUrl, StringComparison.Ordinal);
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
            };
            using var http = new HttpClient(handler);
            using var varz = JsonDocument.Parse(await http.GetStringAsync(monitoring.BaseUrl + "/varz"));
            Assert.Equal(monitoring.EndPoint.Port, varz.RootElement.GetProperty("https_port").GetInt32());
            Assert.Equal(0, varz.RootElement.GetProperty("http_port").GetInt32());

            using var plain = new HttpClient();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetStringAsync($"http://{monitoring.EndPoint}/varz"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }
}
