using System.Net;
using Modular.Abstractions.Transport;

namespace Modular.Abstractions.Auth;

/// <summary>The credentials a peer presented in its CONNECT, and where it came from.</summary>
/// <param name="Nkey">A public user nkey the CONNECT names (nkey logins; set for leaf connections).</param>
/// <param name="Signature">The CONNECT's <c>sig</c>: <paramref name="Nonce"/> signed with the user's seed, base64url.</param>
/// <param name="Nonce">The nonce this server sent in its INFO.</param>
/// <param name="Jwt">The CONNECT's user JWT (unverified: it is the authenticator's to check).</param>
public sealed record AuthRequest(
    ConnectionKind Kind,
    string? User,
    string? Password,
    string? Token,
    EndPoint? RemoteEndPoint,
    ConnectionFeatures? Features = null,
    string? Nkey = null,
    string? Signature = null,
    string? Nonce = null,
    string? Jwt = null);
