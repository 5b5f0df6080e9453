namespace Modular.Abstractions.Transport;

/// <summary>
/// Wraps a connection's transport (TLS is the shipped example). Called before the first protocol
/// byte for routes, or when the protocol asks for an upgrade (client TLS after the plaintext INFO).
/// An implementation replaces <see cref="ModularConnection.Transport"/> and may add a feature.
/// </summary>
public interface IConnectionWrapper
{
    ValueTask WrapAsync(ModularConnection connection, ConnectionKind kind, ConnectionRole role, CancellationToken cancellationToken = default);
}
