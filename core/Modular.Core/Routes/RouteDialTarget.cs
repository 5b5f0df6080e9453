namespace Modular.Core.Routes;

/// <summary>What a soliciting route dials: the URL, whether it is configured (explicit) and, for a pinned route, its account.</summary>
public sealed record RouteDialTarget(Uri Url, bool IsConfigured, string? PinnedAccount);
