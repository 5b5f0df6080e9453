using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Protocol;

namespace Modular.Core.Clients;

// CONNECT, authentication and INFO.
public sealed partial class ClientConnection
{
    private ValueTask<AuthDecision> _pendingAuth;
    private ConnectOptions? _pendingOptions;

    public string? Name => _options.Name;

    public string? Lang => _options.Lang;

    public string? ClientVersion => _options.Version;

    public string? User => _user;

    public bool SupportsHeaders => _options.Headers;

    private void SendInfo()
    {
        Send(InitialInfoLine());
        FlushBatchTargets();
    }

    private BatchOutcome ProcessConnect(ReadOnlySpan<byte> json)
    {
        var options = ConnectOptions.Parse(json);
        if (options is null)
        {
            _logger.LogDebug("cid:{cid} - CONNECT with malformed JSON", Id);
            BeginClose(CloseReason.ProtocolViolation, flushFirst: true);
            return BatchOutcome.Close;
        }

        if (options.Protocol is < 0 or > 1)
        {
            CloseWithError(ErrorMessages.InvalidClientProtocol, CloseReason.ProtocolViolation);
            return BatchOutcome.Close;
        }

        if (options.NoResponders && !options.Headers)
        {
            CloseWithError(ErrorMessages.NoRespondersRequiresHeaders, CloseReason.ProtocolViolation);
            return BatchOutcome.Close;
        }

        if (options.Account is not null || options.NewAccount is not null)
        {
            // Obsolete fields; nats-server treats their presence as an authorization violation.
            CloseWithError(ErrorMessages.AuthorizationViolation, CloseReason.AuthenticationViolation);
            return BatchOutcome.Close;
        }

        var request = new AuthRequest(ConnectionKind.Client, options.User, options.Password, options.AuthToken, _connection.RemoteEndPoint, _connection.Features);
        var authenticator = _server.Authenticator;

        // Authenticators may be slow (bcrypt, a file, a service), and this read loop may run on
        // the socket engine's own thread: decide on the thread pool, once per connection.
        _pendingAuth = new ValueTask<AuthDecision>(Task.Run(() => authenticator.AuthenticateAsync(request).AsTask()));
        _pendingOptions = options;
        return BatchOutcome.AwaitAuth;
    }

    private async ValueTask CompletePendingAuthAsync()
    {
        AuthDecision decision;
        try
        {
            decision = await _pendingAuth.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "cid:{cid} - authenticator failed", Id);
            decision = AuthDecision.Deny;
        }

        var options = _pendingOptions!;
        _pendingAuth = default;
        _pendingOptions = null;
        ApplyConnect(options, decision);
    }

    private BatchOutcome ApplyConnect(ConnectOptions options, AuthDecision decision)
    {
        if (!decision.Allowed)
        {
            _logger.LogInformation("cid:{cid} - authentication error for user {user} from {remote}", Id, options.User ?? "", RemoteEndPoint);
            CloseWithError(ErrorMessages.AuthorizationViolation, CloseReason.AuthenticationViolation);
            return BatchOutcome.Close;
        }

        _options = options;
        _user = decision.User;
        var account = decision.Account is null ? _server.Accounts.Global : _server.Accounts.GetOrAdd(decision.Account);
        if (!_connected)
        {
            _connected = true;
            BindAccount(account);
        }

        SendOk();
        return BatchOutcome.NeedMore;
    }

    private void BindAccount(Accounts.Account account)
    {
        if (ReferenceEquals(account, _account))
        {
            return;
        }

        _account.ClientLeft();
        _account = account;
        account.ClientJoined();
    }
}
