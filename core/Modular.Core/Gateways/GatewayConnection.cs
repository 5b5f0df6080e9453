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
/// peer connection's pieces serve it (<see cref="PeerSessions.PeerConnection"/>: read loop, parser,
/// message writer and receiver, remote interest table, keep-alive clock, closer). As an <see cref="IMessagePeer"/> in another cluster it is one more peer to the
/// router, whose rules for other clusters (<see cref="IMessagePeer.IsOtherCluster"/>) decide the rest.
/// </summary>
public sealed partial class GatewayConnection : PeerSessions.PeerConnection
{
    private readonly IGatewaySessionHost _manager;
    private readonly GatewayAccountSilence _silence = new();

    /// <param name="remote">The cluster dialed (outbound); null for an accepted connection.</param>
    public GatewayConnection(IGatewaySessionHost manager, ModularConnection connection, ulong id, RemoteGateway? remote, Uri? url, ILogger logger)
        : base(manager.Host, connection, id, didSolicit: remote is not null, manager.PingInterval, logger, "gateway", awaitsConnect: true)
    {
        _manager = manager;
        Remote = remote;
        Url = url;
        RemoteCluster = remote?.Name;
    }

    /// <summary>True when this server dialed: messages go out here, the remote's interest comes in.</summary>
    public bool IsOutbound => DidSolicit;

    /// <summary>The cluster dialed; null for an inbound connection.</summary>
    public RemoteGateway? Remote { get; }

    /// <summary>The URL dialed; null for an inbound connection.</summary>
    public Uri? Url { get; }

    /// <summary>The remote cluster's gateway name: the one dialed, or the one its CONNECT named.</summary>
    public string? RemoteCluster { get; private set; }

    /// <summary>The interest held here is another cluster's: never announced to routes or gateways.</summary>
    public override bool IsClusterInterest => false;

    public override bool IsOtherCluster => true;

    /// <summary>
    /// Queues one RMSG (or HMSG) to the other cluster. A reply is rewritten with this server's
    /// <c>_GR_.</c> prefix so the answer comes straight back (see <see cref="GatewayReply"/>); one
    /// that is already a routed reply goes as it is.
    /// </summary>
    public override bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch) =>
        (queues is { Count: > 0 } || _silence.IsEmpty || !_silence.Contains(account)) && Writer.Write(account, message, queues, RemoteHeaders, batch, message.Reply.IsEmpty || GatewayReply.IsRouted(message.Reply) ? default : _manager.ReplyPrefix);

    protected override void OnStarted()
    {
        if (!IsOutbound)
        {
            // The accepting side speaks first; the dialer answers the INFO with CONNECT and its own INFO.
            Output.SendNow(_manager.BuildInfo().ToLine());
        }
    }

    protected override async Task OnClosedAsync()
    {
        RemoteInterest.RemoveAll();
        RemoveReplyRoutes();
        Output.Buffer.Release();
        await Connection.DisposeAsync().ConfigureAwait(false);
        _manager.OnClosed(this);
        LogClosed("gid", RemoteCluster);
    }

    protected override bool Dispatch(ref RouteCommand command)
    {
        switch (command.Op)
        {
            case RouteOp.Connect:
                OnConnect(command.Text);
                break;
            case RouteOp.Info:
                OnInfo(command.Text);
                break;
            case RouteOp.Ping:
                Output.SendNow(ProtocolTokens.Pong);
                break;
            case RouteOp.Pong:
                KeepAlive.OnPong();
                break;
            case RouteOp.Err:
                Logger.LogWarning("gid:{gid} - Gateway Error {error}", Id, Encoding.UTF8.GetString(command.Text));
                BeginClose(RouteCloseReason.RemoteError, flushFirst: false);
                return false;
            // The remote's interest arrives on our outbound connection; messages on its inbound.
            case RouteOp.Subscribe when IsRegistered && IsOutbound:
                RemoteInterest.Subscribe(command.Account, default, command.Subject, command.Queue, command.Weight);
                break;
            case RouteOp.Unsubscribe when IsRegistered && IsOutbound:
                RemoteInterest.Unsubscribe(command.Account, default, command.Subject, command.Queue);
                break;
            case RouteOp.Message when IsRegistered && !IsOutbound:
                if (GatewayReply.IsRouted(command.Subject) && _manager.ForwardsRoutedReply(ref command, Batch))
                {
                    break;
                }

                if (!Receiver.Receive(ref command))
                {
                    AnswerUnknownAccount(command.Account);
                }

                break;
            case RouteOp.AccountInterest when IsRegistered && IsOutbound:
                OnAccountInterest(command.Account, command.Weight > 0);
                break;
        }

        return true;
    }

    /// <summary>Accounts silenced by A- on this connection (see <see cref="GatewayAccountSilence"/>).</summary>
    public IReadOnlyList<string> SilencedAccounts => _silence.Accounts;

    /// <summary>A message for an account this server does not have: A- once, as nats-server, so the remote stops sending it.</summary>
    private void AnswerUnknownAccount(ReadOnlySpan<byte> account)
    {
        if (_silence.Add(account))
        {
            Output.SendNow([.. "A- "u8, .. account, .. "\r\n"u8]);
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

    /// <summary>Periodic: PINGs at most every 15 s, stale and slow detection, the handshake deadline.</summary>
    internal void OnTimerTick(long nowTicks)
    {
        var action = KeepAlive.Tick(nowTicks, IsClosing, Output.ClosingSinceTicks, IsRegistered, MustSeeConnectFirst, Output.Buffer.FlushStartedTicks);
        if (action != KeepAliveAction.None)
        {
            Closer.Apply(action, RemoteName, () => Logger.LogWarning("gid:{gid} - Stale gateway connection to {cluster}, closing", Id, RemoteCluster));
        }
    }
}
