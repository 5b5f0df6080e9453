namespace Modular.Abstractions.Transport;

/// <summary>
/// Feature of a connection this server dialed: the URL it dialed (for a route, the configured,
/// learned or reloaded route URL). A wrapper takes the name to check a peer's certificate against
/// from its host, never from the address it resolved to.
/// </summary>
public sealed record DialedUrl(Uri Url);
