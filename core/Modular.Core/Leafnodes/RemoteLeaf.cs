namespace Modular.Core.Leafnodes;

/// <summary>
/// One configured remote (a hub this server dials as a leaf node): its URLs, the configured ones
/// first and then those its INFO's <c>leafnode_urls</c> taught (failover), the account it binds, and
/// the delay before the next dial (1 s, or 30 s after the hub detected a loop).
/// </summary>
public sealed class RemoteLeaf
{
    public static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LoopDetectedDelay = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly List<Uri> _urls;
    private int _next;
    private TimeSpan? _delay;

    public RemoteLeaf(IReadOnlyList<Uri> urls, string account, IReadOnlyList<string>? denyImports = null, IReadOnlyList<string>? denyExports = null)
    {
        _urls = urls.ToList();
        Account = account;
        DenyImports = denyImports ?? [];
        DenyExports = denyExports ?? [];
    }

    /// <summary>The local account the connection is bound to.</summary>
    public string Account { get; }

    /// <summary>Subjects not taken from the hub (deny_imports).</summary>
    public IReadOnlyList<string> DenyImports { get; }

    /// <summary>Subjects not sent to the hub (deny_exports).</summary>
    public IReadOnlyList<string> DenyExports { get; }

    /// <summary>The remote's .creds file (read at each connection, so it may be rotated); null when none.</summary>
    public string? CredentialsFile { get; init; }

    /// <summary>The remote's user nkey seed; null when none.</summary>
    public string? NkeySeed { get; init; }

    /// <summary>What the CONNECT signs the hub's nonce with; null when the remote has neither credentials nor nkey, or with why they cannot be read.</summary>
    public LeafCredentials? LoadCredentials(out string? error)
    {
        error = null;
        return CredentialsFile is { } file ? LeafCredentials.FromFile(file, out error)
            : NkeySeed is { } seed ? LeafCredentials.FromSeed(seed, out error)
            : null;
    }

    public IReadOnlyList<Uri> Urls
    {
        get
        {
            lock (_lock)
            {
                return _urls.ToList();
            }
        }
    }

    /// <summary>The URL to dial next: each in turn, so a hub that went away is replaced by another of its cluster.</summary>
    public Uri NextUrl()
    {
        lock (_lock)
        {
            var url = _urls[_next % _urls.Count];
            _next = (_next + 1) % _urls.Count;
            return url;
        }
    }

    /// <summary>Adds the hub cluster's leaf URLs (host:port) its INFO named; dialed with the credentials of the configured URL.</summary>
    public void Learn(IEnumerable<string> hostPorts, Uri dialed)
    {
        lock (_lock)
        {
            foreach (var hostPort in hostPorts)
            {
                if (!Uri.TryCreate($"{dialed.Scheme}://{(dialed.UserInfo.Length > 0 ? dialed.UserInfo + "@" : "")}{hostPort}", UriKind.Absolute, out var url))
                {
                    continue;
                }

                if (!_urls.Any(u => u.Host == url.Host && u.Port == url.Port))
                {
                    _urls.Add(url);
                }
            }
        }
    }

    /// <summary>The hub detected a loop: wait 30 s before dialing again.</summary>
    public void DelayNextDial(TimeSpan delay)
    {
        lock (_lock)
        {
            _delay = delay;
        }
    }

    /// <summary>The delay before the next dial (once; then back to the default).</summary>
    public TimeSpan TakeDelay()
    {
        lock (_lock)
        {
            var delay = _delay ?? ReconnectDelay;
            _delay = null;
            return delay;
        }
    }
}
