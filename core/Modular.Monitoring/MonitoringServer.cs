using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Monitoring.Metrics;
using Modular.Monitoring.Models;

namespace Modular.Monitoring;

/// <summary>
/// nats-server-compatible HTTP monitoring for one server: <c>/varz</c>, <c>/connz</c>, <c>/subsz</c>
/// (alias <c>/subscriptionsz</c>), <c>/accountz</c>, <c>/healthz</c>, <c>/metrics</c> and a live page
/// at <c>/</c>. More paths (e.g. <c>/routez</c>) are added with <see cref="MapGet"/>, before or after
/// start. JSON answers honour <c>callback=</c> (JSONP) as nats-server 2.10 does; a bad query parameter
/// is HTTP 400 with a plain-text reason. Served by Kestrel with HTTP/1.1 keep-alive and pipelining;
/// its limits end slow or oversized requests without holding up anyone else's.
/// </summary>
public sealed class MonitoringServer : IAsyncDisposable
{
    /// <summary>Largest request head (request line plus headers) accepted; more is answered with 431.</summary>
    public const int MaxRequestHeadBytes = 8 * 1024;

    /// <summary>Connections served at once; Kestrel refuses more. Far above what monitoring needs, low enough to bound memory.</summary>
    public const int MaxConcurrentConnections = 4096;

    /// <summary>A request head must arrive whole within this: a peer trickling bytes loses its connection, nobody else waits.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(5);

    /// <summary>An idle kept-alive connection is closed after this.</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(30);

    private readonly IMonitoredServer _server;
    private readonly MonitoringListenOptions _options;
    private readonly MonitoringAccess _access;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _kestrelLogs;
    private readonly ProcessUsageSampler _usage = new();
    private readonly ConcurrentDictionary<string, MonitorHandler> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _requestCounts = new(StringComparer.Ordinal);
    private Func<bool, bool, Routez>? _routez;
    private WebApplication? _app;
    private IPEndPoint? _bound;

    public MonitoringServer(IMonitoredServer server, IPEndPoint listen, ILogger logger)
        : this(server, new MonitoringListenOptions(listen), logger)
    {
    }

    /// <param name="server">What the endpoints describe.</param>
    /// <param name="options">Address, TLS, credentials, base path.</param>
    /// <param name="logger">Monitoring's own log (handler failures).</param>
    /// <param name="loggerFactory">Where Kestrel's warnings and errors go; null drops them.</param>
    public MonitoringServer(IMonitoredServer server, MonitoringListenOptions options, ILogger logger, ILoggerFactory? loggerFactory = null)
    {
        _server = server;
        _options = options;
        _access = new MonitoringAccess(options);
        _logger = logger;
        _kestrelLogs = new WarningsOnlyLoggerFactory(loggerFactory ?? NullLoggerFactory.Instance);

        MapGet("/", MonitorPage.Handle);
        MapGet("/varz", HandleVarz);
        MapGet("/connz", request => ConnzBuilder.Handle(_server, request));
        MapGet("/subsz", request => SubszBuilder.Handle(_server, request));
        MapGet("/subscriptionsz", request => SubszBuilder.Handle(_server, request));
        MapGet("/accountz", request => AccountzBuilder.Handle(_server, request));
        MapGet("/healthz", request => HealthzBuilder.Handle(_server, request));
        MapGet("/metrics", _ => PrometheusMetrics.Render(BuildVarz(), _routez?.Invoke(false, false), _server.GetAccounts()));
    }

    /// <summary>The bound address once started (with the real port when <c>listen</c> had port 0); the requested address before.</summary>
    public IPEndPoint EndPoint => _bound ?? _options.Listen;

    /// <summary>The base URL of the endpoints, e.g. "http://127.0.0.1:8222" or "https://…/nats".</summary>
    public string BaseUrl
    {
        get
        {
            var host = EndPoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : EndPoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : EndPoint.Address;
            return $"{(_options.Certificate is null ? "http" : "https")}://{new IPEndPoint(host, EndPoint.Port)}{_options.BasePath}";
        }
    }

    /// <summary>The server the endpoints describe.</summary>
    public IMonitoredServer Server => _server;

    /// <summary>The paths served, in no particular order.</summary>
    public IReadOnlyCollection<string> Paths => _routes.Keys.ToList();

    /// <summary>
    /// Serves <paramref name="path"/> (exact match, e.g. "/routez") with <paramref name="handler"/>,
    /// replacing any handler already there. Safe to call at any time, from any thread.
    /// </summary>
    public void MapGet(string path, MonitorHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(handler);
        if (path[0] != '/')
        {
            throw new ArgumentException("A monitoring path starts with '/'.", nameof(path));
        }

        _routes[path] = handler;
    }

    /// <summary>
    /// Serves <c>/routez</c> (<c>?subs=1</c>, <c>?subs=detail</c>) from <paramref name="build"/>
    /// (subs, detail) and adds its routes to <c>/metrics</c>.
    /// </summary>
    public void MapRoutez(Func<bool, bool, Routez> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        _routez = build;
        MapGet("/routez", request =>
        {
            var (subs, detail) = MonitorQuery.Subs(request.Query);
            return MonitorResponse.Json(build(subs, detail));
        });
    }

    /// <summary>Binds the listener and starts serving. Throws <see cref="SocketException"/> when the address is taken.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton<ILoggerFactory>(_kestrelLogs);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));

        // The host owns the process's signals; ASP.NET Core's console lifetime would take SIGTERM too.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.WebHost.UseKestrelCore();
        if (_options.Certificate is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var limits = kestrel.Limits;
            limits.MaxConcurrentConnections = MaxConcurrentConnections;
            limits.MaxConcurrentUpgradedConnections = 0;
            limits.RequestHeadersTimeout = RequestHeadersTimeout;
            limits.KeepAliveTimeout = KeepAliveTimeout;
            limits.MaxRequestHeadersTotalSize = MaxRequestHeadBytes;
            limits.MaxRequestLineSize = MaxRequestHeadBytes;
            limits.MaxRequestHeaderCount = 64;

            // Monitoring reads no bodies; a small one (a stray POST) is drained, a large one refused.
            limits.MaxRequestBodySize = 64 * 1024;
            limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(2));
            limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(2));
            kestrel.Listen(_options.Listen, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (_options.Certificate is { } certificate)
                {
                    listen.UseHttps(certificate);
                }
            });
        });

        var app = builder.Build();
        app.Run(ServeAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new SocketException((int)SocketError.AddressAlreadyInUse, ex.Message);
        }

        _app = app;
        _bound = BoundEndPoint(app) ?? _options.Listen;
        _logger.LogDebug("Monitoring listening on {BaseUrl}", BaseUrl);
    }

    public async ValueTask DisposeAsync()
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is null)
        {
            return;
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await app.StopAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Requests still running after the deadline are cut by the disposal below.
        }

        await app.DisposeAsync().ConfigureAwait(false);
    }

    private static IPEndPoint? BoundEndPoint(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault();
        if (first is null || !Uri.TryCreate(first, UriKind.Absolute, out var uri) || !IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            return null;
        }

        return new IPEndPoint(address, uri.Port);
    }

    /// <summary>One HTTP request: base path, credentials, then <see cref="Dispatch"/>.</summary>
    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.HasValue ? request.Path.Value! : "/";
        MonitorResponse answer;
        if (!TryStripBasePath(path, out var local))
        {
            answer = MonitorResponse.NotFound();
        }
        else if (local is null)
        {
            // "/nats" → "/nats/": the live page fetches its data relative to its own URL.
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = path + "/" + request.QueryString.Value;
            return;
        }
        else if (local != "/healthz" && !_access.Allows(request.Headers.Authorization))
        {
            // /healthz stays open: a liveness probe carries no credentials and learns only "ok".
            answer = MonitorResponse.Text(StatusCodes.Status401Unauthorized, "Unauthorized\n");
            context.Response.Headers.WWWAuthenticate = _access.Challenge;
        }
        else
        {
            var host = request.Host.HasValue ? request.Host.Value : null;
            answer = Dispatch(new MonitorRequest(request.Method, local, QueryString.Parse(request.QueryString.Value), host));
        }

        var response = context.Response;
        response.StatusCode = answer.StatusCode;
        response.ContentType = answer.ContentType;
        var headers = response.Headers;
        if (answer.IsJson)
        {
            headers.AccessControlAllowOrigin = "*";
        }

        if (answer.StatusCode == StatusCodes.Status405MethodNotAllowed)
        {
            headers.Allow = "GET, HEAD";
        }

        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        response.ContentLength = answer.Body.Length;
        if (!HttpMethods.IsHead(request.Method) && answer.Body.Length > 0)
        {
            await response.Body.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The path below the base path ("/nats/varz" → "/varz"); false when outside it; true with a
    /// null path for the base path itself without its trailing slash.
    /// </summary>
    private bool TryStripBasePath(string path, out string? local)
    {
        var basePath = _options.BasePath;
        if (basePath.Length == 0)
        {
            local = path;
            return true;
        }

        if (!path.StartsWith(basePath, StringComparison.Ordinal))
        {
            local = null;
            return false;
        }

        local = path.Length == basePath.Length ? null : path[basePath.Length..];
        return local is null || local[0] == '/';
    }

    /// <summary>
    /// Answers one request as the HTTP listener does (routing, 404/405, 400 for bad parameters,
    /// 500 for handler failures, JSONP). Public so callers and tests can use the endpoints in-process.
    /// </summary>
    public MonitorResponse Dispatch(MonitorRequest request)
    {
        if (!_routes.TryGetValue(request.Path, out MonitorHandler? handler))
        {
            return MonitorResponse.NotFound();
        }

        if (request.Method is not ("GET" or "HEAD"))
        {
            return MonitorResponse.Text(405, "Method Not Allowed\n");
        }

        _requestCounts.AddOrUpdate(request.Path == "/subscriptionsz" ? "/subsz" : request.Path, 1, static (_, n) => n + 1);

        MonitorResponse response;
        try
        {
            response = handler(request);
        }
        catch (MonitorBadRequestException ex)
        {
            return MonitorResponse.BadRequest(ex.Message);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Monitoring handler for {Path} failed", request.Path);
            return MonitorResponse.Text(500, "Internal Server Error\n");
        }

        string callback = request.Query.Get("callback");
        if (callback.Length > 0 && response.IsJson)
        {
            return WrapJsonp(callback, response);
        }

        return response;
    }

    private MonitorResponse HandleVarz(MonitorRequest request) => MonitorResponse.Json(BuildVarz());

    private Varz BuildVarz()
    {
        var stats = new Dictionary<string, long>(_requestCounts, StringComparer.Ordinal);
        var varz = VarzBuilder.Build(_server, _bound, stats, _usage.Sample(), DateTime.UtcNow);
        if (_options.Certificate is not null)
        {
            // As nats-server: an HTTPS monitor reports its port as https_port, http_port 0.
            varz.HttpsPort = varz.HttpPort;
            varz.HttpPort = 0;
        }

        return varz;
    }

    /// <summary>An <see cref="IHostLifetime"/> that waits for nothing and listens to no signal.</summary>
    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// JSONP: <c>callback(json)</c> as application/javascript, keeping the status. Unlike nats-server
    /// the callback must look like a JavaScript name (letters, digits, '_', '$', '.'), so the
    /// parameter cannot inject script.
    /// </summary>
    private static MonitorResponse WrapJsonp(string callback, MonitorResponse response)
    {
        if (callback.Length > 128 || !callback.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' or '.'))
        {
            return MonitorResponse.BadRequest("invalid callback name");
        }

        byte[] prefix = Encoding.ASCII.GetBytes(callback + "(");
        byte[] body = new byte[prefix.Length + response.Body.Length + 1];
        prefix.CopyTo(body, 0);
        response.Body.CopyTo(body, prefix.Length);
        body[^1] = (byte)')';
        return new MonitorResponse(response.StatusCode, MonitorResponse.JavaScriptContentType, body);
    }
}
