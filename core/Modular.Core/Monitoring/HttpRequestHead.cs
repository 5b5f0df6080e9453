namespace Modular.Core.Monitoring;

/// <summary>The request line and the few headers the monitoring listener cares about.</summary>
internal sealed record HttpRequestHead(
    string Method,
    string Path,
    string Query,
    string Version,
    string? Host,
    long ContentLength,
    bool Chunked)
{
    /// <summary>The request carries a body the listener will not read (it drains it before closing).</summary>
    public bool HasBody => ContentLength > 0 || Chunked;
}
