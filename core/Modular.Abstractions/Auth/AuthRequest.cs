using System.Net;
using Modular.Abstractions.Transport;

namespace Modular.Abstractions.Auth;

/// <summary>The credentials a peer presented in its CONNECT, and where it came from.</summary>
public sealed record AuthRequest(
    ConnectionKind Kind,
    string? User,
    string? Password,
    string? Token,
    EndPoint? RemoteEndPoint,
    ConnectionFeatures? Features = null);
