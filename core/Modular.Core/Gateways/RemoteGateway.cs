namespace Modular.Core.Gateways;

/// <summary>
/// Another cluster this server dials: configured (explicit, redialed forever) or learned from a
/// gateway's INFO or gossip (implicit, forgotten after connect_retries failed rounds). Its URLs grow
/// with what its servers announce (<c>gateway_urls</c>). Thread-safe.
/// </summary>
public sealed class RemoteGateway
{
    private readonly List<Uri> _urls = new();

    public RemoteGateway(string name, IEnumerable<Uri> urls, bool isImplicit)
    {
        Name = name;
        IsImplicit = isImplicit;
        AddUrls(urls);
    }

    public string Name { get; }

    public bool IsImplicit { get; }

    public IReadOnlyList<Uri> Urls
    {
        get
        {
            lock (_urls)
            {
                return _urls.ToList();
            }
        }
    }

    public void AddUrls(IEnumerable<Uri> urls)
    {
        lock (_urls)
        {
            foreach (var url in urls)
            {
                if (!_urls.Any(u => u.Host == url.Host && u.Port == url.Port))
                {
                    _urls.Add(url);
                }
            }
        }
    }

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
