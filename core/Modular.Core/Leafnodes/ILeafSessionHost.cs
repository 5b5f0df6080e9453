using Modular.Core.Accounts;
using Modular.Core.Routes;

namespace Modular.Core.Leafnodes;

/// <summary>
/// What a leaf node connection needs of the leaf side of its server: the INFO it announces, the
/// account a login binds to, the loop-detection subject, and where it registers.
/// <see cref="LeafnodeManager"/> implements it.
/// </summary>
public interface ILeafSessionHost
{
    IClusterHost Host { get; }

    /// <summary>How often leaf connections PING (the server's interval).</summary>
    TimeSpan PingInterval { get; }

    /// <summary>This server's cluster name; null when it runs without [cluster].</summary>
    string? ClusterName { get; }

    /// <summary>True when leaf connections are TLS ([leafnodes.tls]): the accepting side says tls_required and upgrades after its INFO; the soliciting side upgrades after the hub's INFO.</summary>
    bool HasTls { get; }

    /// <summary>Runs the TLS handshake (the leaf transport wrapper) in <paramref name="role"/>; returns why it failed, or null.</summary>
    /// <param name="dialed">The URL dialed (its host is the name the hub's certificate is checked against); null when accepted.</param>
    Task<string?> UpgradeAsync(Modular.Abstractions.Transport.ModularConnection connection, Modular.Abstractions.Transport.ConnectionRole role, Uri? dialed);

    /// <summary>The INFO the accepting side sends first.</summary>
    LeafInfo BuildInfo(ulong connectionId);

    /// <summary>[leafnodes.auth]'s authenticator; null: <see cref="Authenticate"/> decides.</summary>
    Modular.Abstractions.Auth.IAuthenticator? Authenticator { get; }

    /// <summary>The account named <paramref name="name"/> (made when it is not configured, as a login may name it).</summary>
    Account Bind(string name);

    /// <summary>The account a leaf's CONNECT logs in to ([leafnodes.authorization] or the accounts' users); null with the -ERR text when the login is refused.</summary>
    /// <param name="nonce">The nonce of the INFO sent: an nkey login's <c>sig</c> must be it signed.</param>
    Account? Authenticate(LeafConnectInfo connect, string nonce, out string? error);

    /// <summary><c>$LDS.&lt;random&gt;</c> of <paramref name="account"/>: if a leaf announces it back to us, the leaf topology has a loop.</summary>
    string LoopDetectionSubject(Account account);

    /// <summary>The connection is bound and carries interest; a connection from the same server is replaced.</summary>
    void Register(LeafConnection connection);

    void OnClosed(LeafConnection connection);
}
