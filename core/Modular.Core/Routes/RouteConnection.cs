using System.Runtime.CompilerServices;
using System.Buffers;
using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Transport;
using Modular.Core.Delivery;
using Modular.Core.Protocol;
using Modular.Core.Routes.Closing;
using Modular.Core.Routes.Compression;
using Modular.Core.Routes.Handshake;
using Modular.Core.Routes.Health;
using Modular.Core.Routes.Interest;
using Modular.Core.Routes.Messages;

namespace Modular.Core.Routes;

/// <summary>
/// One route connection to another server of the cluster. Its read loop runs the handshake
/// (CONNECT/INFO), then takes interest (RS+/RS-) and messages (RMSG/HMSG) from the peer; other
/// connections queue RS+/RS- and RMSG to it. The decisions are made elsewhere and applied here:
/// the handshake by <see cref="RouteHandshake"/>, the peer's interest by <see cref="RemoteInterest"/>,
/// the clock by <see cref="RouteKeepAlive"/>, the place by the cluster's registry; it sees the
/// cluster only as <see cref="IRouteSessionHost"/>. Concurrency: the read loop alone owns parser
/// and handshake state; the output is guarded by its Gate; the remote-subscription table by its lock.
/// </summary>
public sealed partial class RouteConnection : Subjects.IMessagePeer
{
    // The longest a route's read loop waits for one stalled local subscriber (a client waits up to 1 s).
    private static readonly TimeSpan MaxRouteStall = TimeSpan.FromMilliseconds(100);

    private readonly IRouteSessionHost _manager;
    private readonly IClusterHost _server;
    private readonly ModularConnection _connection;
    private readonly ILogger _logger;
    private readonly RouteProtocolParser _parser;
    private readonly ConnectionOutput _output;
    private readonly FlushBatch _batch;
    private readonly RouteHandshake _handshake;
    private readonly RemoteInterest _remoteInterest;
    private readonly RouteKeepAlive _keepAlive;
    private readonly RouteCompressionSwitch _compression;
    private readonly RouteMessageWriter _writer;
    private readonly RouteMessageReceiver _receiver;
    private readonly RouteCloser _closer;

    public RouteConnection(IRouteSessionHost manager, ModularConnection connection, ulong id, bool didSolicit, RouteDialTarget? dialTarget, ILogger logger)
    {
        _manager = manager;
        _server = manager.Host;
        _connection = connection;
        _logger = logger;
        Id = id;
        DidSolicit = didSolicit;
        DialTarget = dialTarget;
        // Route control lines may be 16 times the client limit; routes have no payload limit.
        _parser = new RouteProtocolParser(_server.Options.Server.MaxControlLine * 16);
        _output = new ConnectionOutput(connection, _server.Options.Server.MaxPending, OnWriteError);
        _closer = new RouteCloser(_output, _server, logger, id);
        RemoteEndPoint = connection.RemoteEndPoint as IPEndPoint;
        LocalEndPoint = connection.LocalEndPoint as IPEndPoint;
        Start = DateTime.UtcNow;
        _handshake = new RouteHandshake(manager, id, didSolicit ? dialTarget : null, this, logger);
        _remoteInterest = new RemoteInterest(this, _server.Accounts, logger);
        _keepAlive = new RouteKeepAlive(manager.PingInterval, _server.Options);
        _compression = new RouteCompressionSwitch(manager, connection, _output, logger, id);
        _writer = new RouteMessageWriter(_output, reason => _closer.SlowConsumer(reason, RemoteName));
        _batch = new FlushBatch(_server.RouteStatistics.CountStall, MaxRouteStall, oncePerEpisode: true);
        _receiver = new RouteMessageReceiver(new Routing.MessageRouter(this, _batch), _remoteInterest, _server, logger, id);
    }

    private void OnWriteError() => _closer.Reason = RouteCloseReason.WriteError;

    /// <summary>The route id (rid).</summary>
    public ulong Id { get; }

    public bool DidSolicit { get; }

    /// <summary>What this side dialed (URL, and the pinned account when it is an account route); null when accepted.</summary>
    public RouteDialTarget? DialTarget { get; }

    public bool IsConfigured => DialTarget?.IsConfigured ?? false;

    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>This side's address on the connection: the one the peer reached us on (or dialed from).</summary>
    public IPEndPoint? LocalEndPoint { get; }

    public DateTime Start { get; }

    /// <summary>The peer's interest came from the cluster: it is never passed on to other peers.</summary>
    public bool AnnouncesInterest => false;

    /// <summary>Runs the connection until it ends; never throws.</summary>
    public async Task RunAsync()
    {
        try
        {
            _output.SendNow(_handshake.FirstLine());
            _closer.Reason = await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _closer.OnReadLoopFailed(e, "route");
        }

        await _closer.DrainAsync().ConfigureAwait(false);
        await FinishCloseAsync().ConfigureAwait(false);
    }

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
                    // A local subscriber is far behind. Wait for it, but briefly and once per episode if it
                    // does not drain: this connection carries every account's traffic from the peer.
                    await _batch.WaitForStalledAsync().ConfigureAwait(false);
                    ProcessBatch(ref buffer);
                }
            }
            finally
            {
                // Switching streams: what follows the INFO must stay readable at once, by the decoder.
                input.AdvanceTo(buffer.Start, !_compression.Pending && !_handshake.AwaitingAuthentication ? buffer.End : buffer.Start);
                _batch.FlushAll();
                _receiver.PublishBatch();
            }

            if (_handshake.AwaitingAuthentication)
            {
                if (await _handshake.CompleteAuthenticationAsync(() => IsClosing).ConfigureAwait(false) is { } authenticated)
                {
                    Apply(authenticated);
                }

                continue;
            }

            if (_compression.Pending && !IsClosing)
            {
                if (!await _compression.SwitchAsync().ConfigureAwait(false))
                {
                    BeginClose(RouteCloseReason.WriteError, flushFirst: false);
                    return _closer.Reason;
                }

                input = _connection.Transport.Input;
                continue;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return IsClosing ? _closer.Reason : RouteCloseReason.ClientClosed;
            }
        }

        return _closer.Reason;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    private void ProcessBatch(ref ReadOnlySequence<byte> buffer)
    {
        while (!IsClosing && !_compression.Pending && !_handshake.AwaitingAuthentication && !_batch.HasStall)
        {
            var status = _parser.TryParse(ref buffer, out var command, out var error);
            if (status == ParseStatus.Incomplete)
            {
                return;
            }

            if (status == ParseStatus.Error)
            {
                _closer.OnParseError(error, "route");
                return;
            }

            if (_handshake.MustSeeConnectFirst && command.Op != RouteOp.Connect)
            {
                // The accepting side must see CONNECT first.
                _closer.WithError(ErrorMessages.AuthorizationViolation, RouteCloseReason.AuthenticationViolation);
                return;
            }

            switch (command.Op)
            {
                case RouteOp.Connect:
                    Apply(_handshake.OnConnect(command.Text, _connection.RemoteEndPoint, _connection.Features));
                    break;
                case RouteOp.Info:
                    ProcessInfo(command.Text);
                    break;
                case RouteOp.Ping:
                    _output.SendNow(ProtocolTokens.Pong);
                    break;
                case RouteOp.Pong:
                    ProcessPong();
                    break;
                case RouteOp.Err:
                    _logger.LogWarning("rid:{rid} - Route Error {error}", Id, System.Text.Encoding.UTF8.GetString(command.Text));
                    ProcessRemoteError(command.Text);
                    return;
                // Interest and messages count only once the route is registered.
                case RouteOp.Subscribe when IsRegistered:
                    _remoteInterest.Subscribe(command.Account, command.Origin, command.Subject, command.Queue, command.Weight);
                    break;
                case RouteOp.Unsubscribe when IsRegistered:
                    _remoteInterest.Unsubscribe(command.Account, command.Origin, command.Subject, command.Queue);
                    break;
                case RouteOp.Message when IsRegistered:
                    _receiver.Receive(ref command);
                    break;
            }
        }
    }
}
