using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Modular.Core.Server;

namespace Modular.Core.Monitoring;

/// <summary>
/// nats-server-compatible HTTP monitoring for one server: <c>/varz</c>, <c>/connz</c>, <c>/subsz</c>
/// (alias <c>/subscriptionsz</c>), <c>/accountz</c>, <c>/healthz</c> and a live page at <c>/</c>.
/// More paths (e.g. <c>/routez</c>) are added with <see cref="MapGet"/>, before or after start.
/// JSON answers honour <c>callback=</c> (JSONP) as nats-server 2.10 does; a bad query parameter is
/// HTTP 400 with a plain-text reason.
/// </summary>
public sealed class MonitoringServer : IAsyncDisposable
{
    private readonly IMonitoredServer _server;
    private readonly IPEndPoint _listen;
    private readonly ILogger _logger;
    private readonly HttpMonitorListener _listener;
    private readonly ProcessUsageSampler _usage = new();
    private readonly ConcurrentDictionary<string, MonitorHandler> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _requestCounts = new(StringComparer.Ordinal);

    public MonitoringServer(NatsServer server, IPEndPoint listen, ILogger logger)
        : this(new NatsServerMonitorAdapter(server), listen, logger)
    {
    }

    public MonitoringServer(IMonitoredServer server, IPEndPoint listen, ILogger logger)
    {
        _server = server;
        _listen = listen;
        _logger = logger;
        _listener = new HttpMonitorListener(listen, Dispatch, logger);

        MapGet("/", MonitorPage.Handle);
        MapGet("/varz", HandleVarz);
        MapGet("/connz", request => ConnzBuilder.Handle(_server, request));
        MapGet("/subsz", request => SubszBuilder.Handle(_server, request));
        MapGet("/subscriptionsz", request => SubszBuilder.Handle(_server, request));
        MapGet("/accountz", request => AccountzBuilder.Handle(_server, request));
        MapGet("/healthz", request => HealthzBuilder.Handle(_server, request));
    }

    /// <summary>The bound address once started (with the real port when <c>listen</c> had port 0); the requested address before.</summary>
    public IPEndPoint EndPoint => _listener.EndPoint ?? _listen;

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

    /// <summary>Binds the listener and starts serving. Throws <see cref="System.Net.Sockets.SocketException"/> when the address is taken.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _listener.Start();
        _logger.LogDebug("Monitoring listening on http://{EndPoint}", _listener.EndPoint);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    /// <summary>
    /// Answers one request as the socket listener would (routing, 404/405, 400 for bad parameters,
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

    private MonitorResponse HandleVarz(MonitorRequest request)
    {
        var stats = new Dictionary<string, long>(_requestCounts, StringComparer.Ordinal);
        return MonitorResponse.Json(VarzBuilder.Build(_server, _listener.EndPoint, stats, _usage.Sample(), DateTime.UtcNow));
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
