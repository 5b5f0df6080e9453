namespace Modular.Monitoring;

/// <summary>One parsed HTTP request to the monitoring listener.</summary>
/// <param name="Method">"GET" or "HEAD" by the time a handler sees it.</param>
/// <param name="Path">The decoded path, e.g. "/connz".</param>
/// <param name="Query">The query parameters.</param>
/// <param name="Host">The Host header, or null.</param>
public sealed record MonitorRequest(string Method, string Path, QueryString Query, string? Host)
{
    /// <summary>A GET of <paramref name="pathAndQuery"/> such as "/connz?subs=1", for tests and in-process callers.</summary>
    public static MonitorRequest Get(string pathAndQuery)
    {
        int q = pathAndQuery.IndexOf('?');
        return q < 0
            ? new MonitorRequest("GET", pathAndQuery, QueryString.Empty, null)
            : new MonitorRequest("GET", pathAndQuery[..q], QueryString.Parse(pathAndQuery[(q + 1)..]), null);
    }
}
