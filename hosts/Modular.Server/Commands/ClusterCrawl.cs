namespace Modular.Server.Commands;

/// <summary>
/// What <c>cluster check</c> found, starting from the URLs it was given and following the
/// <c>monitor_url</c> of every route in /routez until no new server turns up.
/// </summary>
/// <param name="Servers">Every server read (and every given URL that could not be read, with its error).</param>
/// <param name="Unread">Servers some route leads to that could not be read, with why.</param>
/// <param name="StoppedAt">The server limit when the crawl stopped short of it; null when it finished.</param>
internal sealed record ClusterCrawl(IReadOnlyList<ServerSnapshot> Servers, IReadOnlyList<UnreadPeer> Unread, int? StoppedAt);

/// <summary>
/// A server in the peer set that was not read. <paramref name="Reason"/> reads after its name:
/// "has no known monitoring URL", "advertises http://…, which cannot be read here: timed out"…
/// </summary>
internal sealed record UnreadPeer(string Id, string Name, string Reason)
{
    public const string NoUrl = "has no known monitoring URL";

    public string Label => Name.Length > 0 ? $"{Name} ({Id})" : Id;
}
