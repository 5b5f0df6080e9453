using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Delivery;
using Modular.Core.Protocol;
using Modular.Core.Routes;
using Modular.Core.Routes.Closing;
using Modular.Core.Routes.Health;
using Modular.Core.Routes.Interest;
using Modular.Core.Routes.Messages;
using Modular.Core.Subjects;

namespace Modular.Core.PeerSessions;

/// <summary>
/// What every connection to another server shares, whatever its kind (route, gateway, leaf node):
/// the route-family parser, the read loop with its stall handling and per-batch flush, the remote
/// interest table, the message writer and receiver, the keep-alive clock and the closer. A kind
/// supplies its handshake and what each parsed operation means (<see cref="Dispatch"/>), and may
/// hold the input back between batches (a route's compression switch, a pending authentication).
/// Concurrency: the read loop alone owns parser and handshake state; the output is guarded by its
/// gate; the remote-subscription table by its lock.
/// </summary>
public abstract class PeerConnection : IMessagePeer
{
    // The longest the read loop waits for one stalled local subscriber (a client waits up to 1 s):
    // a peer connection carries many subscribers' traffic, and one that never reads must not hold the rest.
    private static readonly TimeSpan MaxStall = TimeSpan.FromMilliseconds(100);

    private readonly RouteProtocolParser _parser;
    private readonly string _kind;

    /// <param name="didSolicit">True when this side dialed; set before the router is built, so a kind's routing
    /// properties (<see cref="IMessagePeer"/>) may depend on it.</param>
    /// <param name="kind">"route", "gateway", "leafnode": how logs name the connection.</param>
    /// <param name="leafDialect">The leaf node wire: no account on any line, LMSG for a message without headers, no origin on LS+/LS-.</param>
    /// <param name="awaitsConnect">The accepting side learns who dialed from the CONNECT alone (gateways, leaf nodes): it must come first.</param>
    private protected PeerConnection(IClusterHost server, ModularConnection connection, ulong id, bool didSolicit, TimeSpan pingInterval, ILogger logger, string kind, bool leafDialect = false, bool awaitsConnect = false)
    {
        MustSeeConnectFirst = awaitsConnect && !didSolicit;
        Server = server;
        Connection = connection;
        Logger = logger;
        Id = id;
        DidSolicit = didSolicit;
        _kind = kind;
        // Control lines of peer connections may be 16 times the client limit; they have no payload limit.
        _parser = new RouteProtocolParser(server.Options.Server.MaxControlLine * 16) { LeafDialect = leafDialect, AccountImplied = leafDialect };
        Output = new ConnectionOutput(connection, server.Options.Server.MaxPending, () => Closer!.Reason = RouteCloseReason.WriteError);
        Closer = new RouteCloser(Output, server, logger, id);
        RemoteInterest = new RemoteInterest(this, server.Accounts, logger);
        KeepAlive = new RouteKeepAlive(pingInterval, server.Options);
        Writer = new RouteMessageWriter(Output, reason => Closer.SlowConsumer(reason, RemoteName), leafDialect);
        Batch = new FlushBatch(server.RouteStatistics.CountStall, MaxStall, oncePerEpisode: true);
        Receiver = new RouteMessageReceiver(new Routing.MessageRouter(this, Batch), RemoteInterest, server, logger, id);
        RemoteEndPoint = connection.RemoteEndPoint as IPEndPoint;
        LocalEndPoint = connection.LocalEndPoint as IPEndPoint;
        Start = DateTime.UtcNow;
    }

    private protected IClusterHost Server { get; }

    private protected ModularConnection Connection { get; }

    private protected ILogger Logger { get; }

    private protected RouteProtocolParser Parser => _parser;

    private protected ConnectionOutput Output { get; }

    private protected FlushBatch Batch { get; }

    private protected RemoteInterest RemoteInterest { get; }

    private protected RouteKeepAlive KeepAlive { get; }

    private protected RouteMessageWriter Writer { get; }

    private protected RouteMessageReceiver Receiver { get; }

    private protected RouteCloser Closer { get; }

    /// <summary>
    /// True on the accepting side until the kind accepted the peer's CONNECT (<see cref="OnConnectAccepted"/>):
    /// any other operation but -ERR is refused with 'Authorization Violation', and the keep-alive
    /// clock closes a connection that never sends one. A field, read once per operation.
    /// </summary>
    private protected bool MustSeeConnectFirst { get; private set; }

    /// <summary>The peer's CONNECT was accepted: the connection may carry everything else.</summary>
    private protected void OnConnectAccepted() => MustSeeConnectFirst = false;

    /// <summary>The closed line every kind logs once registered, e.g. "lid:7 - Leafnode connection from hub closed: Client Closed".</summary>
    private protected void LogClosed(string idTag, string? remote)
    {
        if (IsRegistered)
        {
            Logger.LogInformation(
                "{idTag}:{id} - {kind} connection {direction} {remote} closed: {reason}",
                idTag,
                Id,
                char.ToUpperInvariant(_kind[0]) + _kind[1..],
                DidSolicit ? "to" : "from",
                remote,
                Closer.Reason.Describe());
        }
    }

    /// <summary>The connection id (rid for routes; gateways and leaf nodes count apart).</summary>
    public ulong Id { get; }

    /// <summary>True when this side dialed.</summary>
    public bool DidSolicit { get; }

    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>This side's address on the connection: the one the peer reached us on (or dialed from).</summary>
    public IPEndPoint? LocalEndPoint { get; }

    public DateTime Start { get; }

    /// <summary>The remote server's name, for logs and slow-consumer reports; null before its INFO/CONNECT.</summary>
    public abstract string? RemoteName { get; }

    /// <summary>True once the connection carries interest and messages.</summary>
    public abstract bool IsRegistered { get; }

    public virtual bool AnnouncesInterest => false;

    public virtual bool IsClusterInterest => true;

    public virtual bool IsOtherCluster => false;

    public virtual string? LeafOrigin => null;

    public virtual ReadOnlySpan<byte> RemoteLeafCluster => default;

    public virtual bool TakesMeshTraffic => false;

    public virtual bool IsQueueFallback => IsOtherCluster;

    /// <summary>Read while the base constructor builds the router: an override may use <see cref="DidSolicit"/> only.</summary>
    public virtual bool SpreadsLikeLocal => false;

    public long InMsgs => Receiver.InMsgs;

    public long InBytes => Receiver.InBytes;

    public long OutMsgs => Writer.OutMsgs;

    public long OutBytes => Writer.OutBytes;

    public long PendingBytes => Output.Buffer.PendingBytes;

    public int RemoteSubscriptionCount => RemoteInterest.Count;

    public IReadOnlyList<Subscription> GetRemoteSubscriptions() => RemoteInterest.GetAll();

    /// <summary>The peer's interest by account (monitoring).</summary>
    public IReadOnlyList<(Modular.Core.Accounts.Account Account, IReadOnlyList<Subscription> Subscriptions)> GetRemoteSubscriptionsByAccount() => RemoteInterest.GetByAccount();

    public DateTime LastActivity => KeepAlive.LastActivity;

    /// <summary>The round trip of the last PING/PONG; null before the first.</summary>
    public TimeSpan? Rtt => KeepAlive.Rtt;

    public bool IsClosing => Closer.IsClosing;

    public RouteCloseReason CloseReason => Closer.Reason;

    /// <summary>True once the connection is fully closed and out of its registry.</summary>
    public bool IsClosed => Closer.IsClosed;

    /// <summary>How often this connection was cut off as a slow consumer (0 or 1: it closes).</summary>
    public long SlowConsumerCount => Closer.SlowConsumerCount;

    public abstract bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch);

    public void BeginClose(RouteCloseReason reason, bool flushFirst) => Closer.Begin(reason, flushFirst);

    /// <summary>Queues a block of protocol lines (INFO, an interest dump) in one write.</summary>
    internal void SendRaw(byte[] bytes) => Output.SendNow(bytes);

    /// <summary>Runs the connection until it ends; never throws.</summary>
    public async Task RunAsync()
    {
        try
        {
            OnStarted();
            Closer.Reason = await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Closer.OnReadLoopFailed(e, _kind);
        }

        await Closer.DrainAsync().ConfigureAwait(false);
        await OnClosedAsync().ConfigureAwait(false);
    }

    /// <summary>Before the first read: what this side says first (an INFO, or nothing).</summary>
    protected abstract void OnStarted();

    /// <summary>After the read loop ended and the output drained: take the interest out, release, deregister.</summary>
    protected abstract Task OnClosedAsync();

    /// <summary>
    /// Applies one parsed operation. Returns false to stop reading this batch (the connection is
    /// closing, or the input is held). Called by the read loop only.
    /// </summary>
    protected abstract bool Dispatch(ref RouteCommand command);

    /// <summary>
    /// True while the bytes after the last operation must stay unread: a stream switch (compression,
    /// whose first bytes are already in the buffer) or an authentication decision pending.
    /// </summary>
    protected virtual bool HoldsInput => false;

    /// <summary>Called after a batch while <see cref="HoldsInput"/>: completes what holds it. False closes the connection.</summary>
    protected virtual ValueTask<bool> ReleaseInputAsync() => ValueTask.FromResult(true);

    private (Task<AuthDecision> Decision, Action<AuthDecision> Apply)? _pendingAuthentication;

    /// <summary>True while an authentication decision started by <see cref="Authenticate"/> is pending (the input must stay held).</summary>
    private protected bool AwaitingAuthentication => _pendingAuthentication is not null;

    /// <summary>
    /// Asks the auth seam about the accepting side's CONNECT and applies the decision: at once when
    /// it is ready, else after the batch, while the input is held (a slow check, bcrypt, must not
    /// let the peer's next operations in before it is decided). A kind's <see cref="HoldsInput"/>
    /// includes <see cref="AwaitingAuthentication"/>, and its <see cref="ReleaseInputAsync"/> calls
    /// <see cref="CompleteAuthenticationAsync"/>.
    /// </summary>
    private protected void Authenticate(IAuthenticator authenticator, AuthRequest request, Action<AuthDecision> apply)
    {
        var decision = authenticator.AuthenticateAsync(request);
        if (decision.IsCompletedSuccessfully)
        {
            apply(decision.Result);
        }
        else
        {
            _pendingAuthentication = (decision.AsTask(), apply);
        }
    }

    /// <summary>Waits for the pending decision and applies it; an authenticator that throws denies.</summary>
    private protected async ValueTask CompleteAuthenticationAsync()
    {
        var (pending, apply) = _pendingAuthentication!.Value;
        AuthDecision decision;
        try
        {
            decision = await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Logger.LogError("{kind} connection {id}: authentication failed: {error}", _kind, Id, e.Message);
            decision = AuthDecision.Deny;
        }

        _pendingAuthentication = null;
        apply(decision);
    }

    private async Task<RouteCloseReason> ReadLoopAsync()
    {
        var input = Connection.Transport.Input;
        while (!IsClosing)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                KeepAlive.OnActivity();
                ProcessBatch(ref buffer);
                while (Batch.HasStall && !IsClosing)
                {
                    // A local subscriber is far behind. Wait for it, but briefly and once per episode if it
                    // does not drain: this connection carries many subscribers' traffic from the peer.
                    await Batch.WaitForStalledAsync().ConfigureAwait(false);
                    ProcessBatch(ref buffer);
                }
            }
            finally
            {
                // Switching streams: what follows the INFO must stay readable at once, by the decoder.
                input.AdvanceTo(buffer.Start, HoldsInput ? buffer.Start : buffer.End);
                Batch.FlushAll();
                Receiver.PublishBatch();
            }

            if (HoldsInput && !IsClosing)
            {
                if (!await ReleaseInputAsync().ConfigureAwait(false))
                {
                    return Closer.Reason;
                }

                input = Connection.Transport.Input;
                continue;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return IsClosing ? Closer.Reason : RouteCloseReason.ClientClosed;
            }
        }

        return Closer.Reason;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    private void ProcessBatch(ref ReadOnlySequence<byte> buffer)
    {
        while (!IsClosing && !HoldsInput && !Batch.HasStall)
        {
            var status = _parser.TryParse(ref buffer, out var command, out var error);
            if (status == ParseStatus.Incomplete)
            {
                return;
            }

            if (status == ParseStatus.Error)
            {
                Closer.OnParseError(error, _kind);
                return;
            }

            if (MustSeeConnectFirst && command.Op is not (RouteOp.Connect or RouteOp.Err))
            {
                // The accepting side of a gateway or leaf connection must see CONNECT first.
                Closer.WithError(ErrorMessages.AuthorizationViolation, RouteCloseReason.AuthenticationViolation);
                return;
            }

            if (!Dispatch(ref command))
            {
                return;
            }
        }
    }
}
