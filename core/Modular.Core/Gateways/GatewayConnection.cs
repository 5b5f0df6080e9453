using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Transport;
using Modular.Core.Accounts;
using Modular.Core.Delivery;
using Modular.Core.Protocol;
using Modular.Core.Routes;
using Modular.Core.Routes.Closing;
using Modular.Core.Routes.Health;
using Modular.Core.Routes.Interest;
using Modular.Core.Routes.Messages;
using Modular.Core.Subjects;

namespace Modular.Core.Gateways;

/// <summary>
/// One gateway connection to a server of another cluster. Like nats-server, each server has one
/// outbound connection per remote cluster, on which it sends messages and learns the remote's
/// interest (RS+/RS-), and accepts inbound ones, on which messages arrive and this cluster's
/// interest goes out. The wire is the route protocol (RS+/RS-/RMSG/HMSG, with accounts), so the
/// route's pieces serve it: parser, message writer and receiver, remote interest table, keep-alive
/// clock, closer. As an <see cref="IMessagePeer"/> in another cluster it is one more peer to the
/// router, whose rules for other clusters (<see cref="IMessagePeer.IsOtherCluster"/>) decide the rest.
/// Concurrency as a route: the read loop owns parser and handshake state, the output its gate.
/// </summary>
public sealed partial class GatewayConnection : IMessagePeer
{
    // The longest the read loop waits for one stalled local subscriber, as on routes.
    private static readonly TimeSpan MaxStall = TimeSpan.FromMilliseconds(100);

    private readonly IGatewaySessionHost _manager;
    private readonly IClusterHost _server;
    private readonly ModularConnection _connection;
    private readonly ILogger _logger;
    private readonly RouteProtocolParser _parser;
    private readonly ConnectionOutput _output;
    private readonly FlushBatch _batch;
    private readonly RemoteInterest _remoteInterest;
    private readonly RouteKeepAlive _keepAlive;
    private readonly RouteMessageWriter _writer;
    private readonly RouteMessageReceiver _receiver;
    private readonly RouteCloser _closer;
    private readonly GatewayAccountSilence _silence = new();

    /// <param name="remote">The cluster dialed (outbound); null for an accepted connection.</param>
    public GatewayConnection(IGatewaySessionHost manager, ModularConnection connection, ulong id, RemoteGateway? remote, Uri? url, ILogger logger)
    {
        _manager = manager;
        _server = manager.Host;
        _connection = connection;
        _logger = logger;
        Id = id;
        Remote = remote;
        Url = url;
        IsOutbound = remote is not null;
        RemoteCluster = remote?.Name;
        _parser = new RouteProtocolParser(_server.Options.Server.MaxControlLine * 16);
        _output = new ConnectionOutput(connection, _server.Options.Server.MaxPending, () => _closer!.Reason = RouteCloseReason.WriteError);
        _closer = new RouteCloser(_output, _server, logger, id);
        _remoteInterest = new RemoteInterest(this, _server.Accounts, logger);
        _keepAlive = new RouteKeepAlive(manager.PingInterval, _server.Options);
        _writer = new RouteMessageWriter(_output, reason => _closer.SlowConsumer(reason, RemoteName));
        _batch = new FlushBatch(_server.RouteStatistics.CountStall, MaxStall, oncePerEpisode: true);
        _receiver = new RouteMessageReceiver(new Routing.MessageRouter(this, _batch), _remoteInterest, _server, logger, id);
        RemoteEndPoint = connection.RemoteEndPoint as IPEndPoint;
        Start = DateTime.UtcNow;
    }

    /// <summary>The connection id (gateways count apart from clients and routes).</summary>
    public ulong Id { get; }

    /// <summary>True when this server dialed: messages go out here, the remote's interest comes in.</summary>
    public bool IsOutbound { get; }

    /// <summary>The cluster dialed; null for an inbound connection.</summary>
    public RemoteGateway? Remote { get; }

    /// <summary>The URL dialed; null for an inbound connection.</summary>
    public Uri? Url { get; }

    /// <summary>The remote cluster's gateway name: the one dialed, or the one its CONNECT named.</summary>
    public string? RemoteCluster { get; private set; }

    public IPEndPoint? RemoteEndPoint { get; }

    public DateTime Start { get; }

    /// <summary>The interest held here is another cluster's: never announced to routes or gateways.</summary>
    public bool AnnouncesInterest => false;

    public bool IsClusterInterest => false;

    public bool IsOtherCluster => true;

    public long InMsgs => _receiver.InMsgs;

    public long InBytes => _receiver.InBytes;

    public long OutMsgs => _writer.OutMsgs;

    public long OutBytes => _writer.OutBytes;

    public long PendingBytes => _output.Buffer.PendingBytes;

    public int RemoteSubscriptionCount => _remoteInterest.Count;

    public IReadOnlyList<Subscription> GetRemoteSubscriptions() => _remoteInterest.GetAll();

    public DateTime LastActivity => _keepAlive.LastActivity;

    public TimeSpan? Rtt => _keepAlive.Rtt;

    public bool IsClosing => _closer.IsClosing;

    public RouteCloseReason CloseReason => _closer.Reason;

    /// <summary>
    /// Queues one RMSG (or HMSG) to the other cluster. A reply is rewritten with this server's
    /// <c>_GR_.</c> prefix so the answer comes straight back (see <see cref="GatewayReply"/>); one
    /// that is already a routed reply goes as it is.
    /// </summary>
    public bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch) =>
        (queues is { Count: > 0 } || _silence.IsEmpty || !_silence.Contains(account)) && _writer.Write(account, message, queues, RemoteHeaders, batch, message.Reply.IsEmpty || GatewayReply.IsRouted(message.Reply) ? default : _manager.ReplyPrefix);

    /// <summary>Runs the connection until it ends; never throws.</summary>
    public async Task RunAsync()
    {
        try
        {
            if (!IsOutbound)
            {
                // The accepting side speaks first; the dialer answers the INFO with CONNECT and its own INFO.
                _output.SendNow(_manager.BuildInfo().ToLine());
            }

            _closer.Reason = await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _closer.OnReadLoopFailed(e, "gateway");
        }

        await _closer.DrainAsync().ConfigureAwait(false);
        _remoteInterest.RemoveAll();
        RemoveReplyRoutes();
        _output.Buffer.Release();
        await _connection.DisposeAsync().ConfigureAwait(false);
        _manager.OnClosed(this);
        if (IsRegistered)
        {
            _logger.LogInformation("gid:{gid} - Gateway connection {direction} {cluster} closed: {reason}", Id, IsOutbound ? "to" : "from", RemoteCluster, _closer.Reason.Describe());
        }
    }

    public void BeginClose(RouteCloseReason reason, bool flushFirst) => _closer.Begin(reason, flushFirst);

    private async Task<RouteCloseReason> ReadLoopAsync()
    {
        var input = _connection.Transport.Input;
        while (!IsClosing)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                _keepAlive.OnActivity();
                ProcessBatch(ref buffer);
                while (_batch.HasStall && !IsClosing)
                {
                    await _batch.WaitForStalledAsync().ConfigureAwait(false);
                    ProcessBatch(ref buffer);
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                _batch.FlushAll();
                _receiver.PublishBatch();
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return IsClosing ? _closer.Reason : RouteCloseReason.ClientClosed;
            }
        }

        return _closer.Reason;
    }

    private void ProcessBatch(ref ReadOnlySequence<byte> buffer)
    {
        while (!IsClosing && !_batch.HasStall)
        {
            var status = _parser.TryParse(ref buffer, out var command, out var error);
            if (status == ParseStatus.Incomplete)
            {
                return;
            }

            if (status == ParseStatus.Error)
            {
                _closer.OnParseError(error, "gateway");
                return;
            }

            if (!IsOutbound && !_connectReceived && command.Op is not (RouteOp.Connect or RouteOp.Err))
            {
                // The accepting side must see CONNECT first.
                _closer.WithError(ErrorMessages.AuthorizationViolation, RouteCloseReason.AuthenticationViolation);
                return;
            }

            switch (command.Op)
            {
                case RouteOp.Connect:
                    OnConnect(command.Text);
                    break;
                case RouteOp.Info:
                    OnInfo(command.Text);
                    break;
                case RouteOp.Ping:
                    _output.SendNow(ProtocolTokens.Pong);
                    break;
                case RouteOp.Pong:
                    _keepAlive.OnPong();
                    break;
                case RouteOp.Err:
                    _logger.LogWarning("gid:{gid} - Gateway Error {error}", Id, Encoding.UTF8.GetString(command.Text));
                    BeginClose(RouteCloseReason.RemoteError, flushFirst: false);
                    return;
                // The remote's interest arrives on our outbound connection; messages on its inbound.
                case RouteOp.Subscribe when IsRegistered && IsOutbound:
                    _remoteInterest.Subscribe(command.Account, default, command.Subject, command.Queue, command.Weight);
                    break;
                case RouteOp.Unsubscribe when IsRegistered && IsOutbound:
                    _remoteInterest.Unsubscribe(command.Account, default, command.Subject, command.Queue);
                    break;
                case RouteOp.Message when IsRegistered && !IsOutbound:
                    if (!_receiver.Receive(ref command))
                    {
                        AnswerUnknownAccount(command.Account);
                    }

                    break;
                case RouteOp.AccountInterest when IsRegistered && IsOutbound:
                    OnAccountInterest(command.Account, command.Weight > 0);
                    break;
            }
        }
    }

    /// <summary>Accounts silenced by A- on this connection (see <see cref="GatewayAccountSilence"/>).</summary>
    public IReadOnlyList<string> SilencedAccounts => _silence.Accounts;

    /// <summary>A message for an account this server does not have: A- once, as nats-server, so the remote stops sending it.</summary>
    private void AnswerUnknownAccount(ReadOnlySpan<byte> account)
    {
        if (_silence.Add(account))
        {
            _output.SendNow([.. "A- "u8, .. account, .. "\r\n"u8]);
        }
    }

    /// <summary>A- or A+ from the remote: its plain interest in the account stops or resumes.</summary>
    private void OnAccountInterest(ReadOnlySpan<byte> account, bool interested)
    {
        if (interested)
        {
            _silence.Remove(account);
        }
        else
        {
            _silence.Add(account);
        }
    }

    /// <summary>Queues protocol lines (INFO commands, RS+/RS-) to the remote.</summary>
    internal void SendRaw(byte[] bytes) => _output.SendNow(bytes);

    /// <summary>Periodic: PINGs at most every 15 s, stale and slow detection, the handshake deadline.</summary>
    internal void OnTimerTick(long nowTicks)
    {
        var action = _keepAlive.Tick(nowTicks, IsClosing, _output.ClosingSinceTicks, IsRegistered, !IsOutbound && !_connectReceived, _output.Buffer.FlushStartedTicks);
        if (action != KeepAliveAction.None)
        {
            _closer.Apply(action, RemoteName, () => _logger.LogWarning("gid:{gid} - Stale gateway connection to {cluster}, closing", Id, RemoteCluster));
        }
    }
}
