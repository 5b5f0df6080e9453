using System.Text.Json;

namespace Modular.Server.Commands;

/// <summary>One server's HTTP monitoring address, read the way an operator's tool would: plain GETs of the JSON endpoints.</summary>
internal sealed class MonitorEndpoint : IDisposable
{
    private readonly HttpClient _http;

    private MonitorEndpoint(Uri baseUri, TimeSpan timeout)
    {
        BaseUri = baseUri;
        _http = new HttpClient { Timeout = timeout };
    }

    public Uri BaseUri { get; }

    /// <summary>"http://host:port" as given, without a trailing slash.</summary>
    public string Label => BaseUri.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>Parses a monitoring URL (a bare host:port means http); null with <paramref name="error"/> when it is not one.</summary>
    public static MonitorEndpoint? TryCreate(string text, TimeSpan timeout, out string error)
    {
        var candidate = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Port <= 0)
        {
            error = $"\"{text}\" is not a monitoring URL (expected http://HOST:PORT)";
            return null;
        }

        if (!uri.AbsolutePath.EndsWith('/'))
        {
            uri = new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
        }

        error = "";
        return new MonitorEndpoint(uri, timeout);
    }

    /// <summary>GETs <paramref name="pathAndQuery"/> (relative, e.g. "varz") and returns the status and the parsed body (null when not JSON).</summary>
    public async Task<(int Status, JsonDocument? Body, string Text)> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(BaseUri, pathAndQuery), cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonDocument? body = null;
        try
        {
            body = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
        }

        return ((int)response.StatusCode, body, text);
    }

    /// <summary>GETs a JSON endpoint that must answer 200; throws <see cref="HttpRequestException"/> with a one-line reason otherwise.</summary>
    public async Task<JsonDocument> GetJsonAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var (status, body, text) = await GetAsync(pathAndQuery, cancellationToken).ConfigureAwait(false);
        if (status != 200 || body is null)
        {
            body?.Dispose();
            throw new HttpRequestException($"/{pathAndQuery} answered HTTP {status}: {Cli.OneLine(text.Length > 200 ? text[..200] : text)}");
        }

        return body;
    }

    public void Dispose() => _http.Dispose();
}
