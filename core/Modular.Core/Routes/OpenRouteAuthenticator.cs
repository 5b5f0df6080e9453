using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;

namespace Modular.Core.Routes;

/// <summary>Route authentication when no [cluster.auth] is configured: every route is allowed, as nats-server without a cluster user.</summary>
public sealed class OpenRouteAuthenticator : IAuthenticator
{
    public static readonly OpenRouteAuthenticator Instance = new();

    public bool IsRequired(ConnectionKind kind) => false;

    public ValueTask<AuthDecision> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(AuthDecision.Allow(Accounts.Account.GlobalName));
}
