namespace Modular.Abstractions.Auth;

/// <summary>User and password a soliciting server puts in its route CONNECT.</summary>
public readonly record struct RouteCredentials(string? User, string? Password);
