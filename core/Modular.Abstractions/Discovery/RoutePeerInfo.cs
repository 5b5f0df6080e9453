namespace Modular.Abstractions.Discovery;

/// <summary>What a route peer told us about itself in its INFO, as discovery needs it.</summary>
public sealed record RoutePeerInfo(string ServerId, string? ServerName, Uri? RouteUrl, IReadOnlyList<string> ClientConnectUrls);
