namespace FileDiscovery;

/// <summary>
/// A peers file: one route per line, either a URL (<c>nats-route://[user:password@]host:port</c>)
/// or <c>host:port</c>; blank lines and lines starting with <c>#</c> are skipped.
/// </summary>
public static class PeersFile
{
    /// <summary>The routes of the file in order, without duplicates; every bad line is reported as "FILE:LINE: problem".</summary>
    public static List<Uri> Parse(string path, IEnumerable<string> lines, List<string> problems)
    {
        var routes = new List<Uri>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var text = line.Contains("://", StringComparison.Ordinal) ? line : "nats-route://" + line;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme != "nats-route" || url.Host.Length == 0 || url.IsDefaultPort || url.Port <= 0)
            {
                problems.Add($"{path}:{number}: expected \"nats-route://host:port\" or \"host:port\", got \"{line}\"");
                continue;
            }

            if (!routes.Contains(url))
            {
                routes.Add(url);
            }
        }

        return routes;
    }
}
