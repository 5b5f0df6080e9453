namespace Modular.Monitoring;

/// <summary>
/// Answers one monitoring path. Runs on a thread-pool thread, one call per request; may throw
/// <see cref="MonitorBadRequestException"/> for a bad parameter (HTTP 400, plain text). Any other
/// exception becomes HTTP 500 and is logged; it never stops the listener.
/// </summary>
public delegate MonitorResponse MonitorHandler(MonitorRequest request);
