namespace Modular.Abstractions.Transport;

/// <summary>
/// Wraps a connection's transport (TLS is the shipped example). Called before the first protocol
/// byte for routes, or for clients at the point <see cref="ClientUpgrade"/> declares.
/// An implementation replaces <see cref="ModularConnection.Transport"/> and may add a feature
/// (a TLS wrapper adds an <see cref="ITlsHandshakeFeature"/>).
/// </summary>
public interface IConnectionWrapper
{
    /// <summary>For accepted clients: whether the wrapper runs after the plaintext INFO (the default) or before it.</summary>
    ClientUpgradeTiming ClientUpgrade => ClientUpgradeTiming.AfterInfo;

    /// <summary>
    /// True when the wrapper is TLS: client INFO and /varz then say tls_required (and, for routes,
    /// tls_verify, as nats-server always verifies route certificates).
    /// </summary>
    bool RequiresTls => false;

    ValueTask WrapAsync(ModularConnection connection, ConnectionKind kind, ConnectionRole role, CancellationToken cancellationToken = default);
}
