namespace Modular.Core.Gateways;

/// <summary>
/// Another cluster this server dials: configured (explicit, redialed forever) or learned from a
/// gateway's INFO or gossip (implicit, forgotten after connect_retries failed rounds). Its URLs are
/// the configured ones plus those its servers announce (<c>gateway_urls</c>): as nats-server's
/// updateURLs, each INFO from the cluster replaces the announced ones, so a server that left is not
/// dialed again and one that joined is, when the outbound connection is lost (failover). Thread-safe.
/// </summary>
public sealed class RemoteGateway
{
    private readonly List<Uri> _configured = new();
    private readonly List<Uri> _announced = new();

    public RemoteGateway(string name, IEnumerable<Uri> urls, bool isImplicit)
    {
        Name = name;
        IsImplicit = isImplicit;
        // An implicit gateway has no configuration: what the INFO or gossip said is all it has, and an INFO may replace it.
        Add(isImplicit ? _announced : _configured, urls);
    }

    public string Name { get; }

    public bool IsImplicit { get; }

    /// <summary>Every URL to dial: configured first, then announced ones not configured.</summary>
    public IReadOnlyList<Uri> Urls
    {
        get
        {
            lock (_configured)
            {
                var all = _configured.ToList();
                all.AddRange(_announced.Where(u => !Contains(all, u)));
                return all;
            }
        }
    }

    /// <summary>Adds URLs (gossip: another server of ours reached this cluster there).</summary>
    public void AddUrls(IEnumerable<Uri> urls)
    {
        lock (_configured)
        {
            Add(_announced, urls);
        }
    }

    /// <summary>The cluster's own INFO listed its gateway URLs: they replace the announced ones (configured ones stay).</summary>
    public void ReplaceAnnounced(IEnumerable<Uri> urls)
    {
        var list = urls.ToList();
        if (list.Count == 0)
        {
            return;
        }

        lock (_configured)
        {
            _announced.Clear();
            Add(_announced, list);
        }
    }

    private static void Add(List<Uri> to, IEnumerable<Uri> urls)
    {
        foreach (var url in urls)
        {
            if (!Contains(to, url))
            {
                to.Add(url);
            }
        }
    }

    private static bool Contains(List<Uri> urls, Uri url) => urls.Any(u => u.Host == url.Host && u.Port == url.Port);

    /// <summary>Host:port strings as INFO carries them ("127.0.0.1:7222"), made into URLs; bad ones are skipped.</summary>
    public static IEnumerable<Uri> ParseInfoUrls(IEnumerable<string>? hostPorts)
    {
        foreach (var text in hostPorts ?? [])
        {
            var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "nats://" + text;
            if (Uri.TryCreate(withScheme, UriKind.Absolute, out var url) && url.Port > 0)
            {
                yield return url;
            }
        }
    }
}
