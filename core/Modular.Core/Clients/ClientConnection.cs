using System.Runtime.CompilerServices;
using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Transport;
using Modular.Core.Accounts;
using Modular.Core.Delivery;
using Modular.Core.Protocol;
using Modular.Core.Routing;
using Modular.Core.Subjects;

namespace Modular.Core.Clients;

/// <summary>
/// One client session. Its read loop parses and handles operations; its write loop drains the
/// outbound buffer to the transport. Other connections' read loops queue messages to it through
/// <see cref="Deliver"/>. Split into partial files by concern: reading and commands here,
/// publishing, subscriptions, outbound and lifecycle beside it.
/// Concurrency: the read loop alone touches parser state and connect options; the outbound
/// buffer is guarded by its Gate; the sid table by its own lock; closing is one Interlocked flag.
/// Lock order: never take another connection's Gate while holding one's own sid lock.
/// </summary>
public sealed partial class ClientConnection : ISubscriber
{
    private readonly IClientHost _server;
    private readonly ModularConnection _connection;
    private readonly ILogger _logger;
    private readonly ClientProtocolParser _parser;
    private readonly ConnectionOutput _output;
    private readonly OutboundBuffer _outbound;
    private readonly FlushBatch _batch;
    private readonly MessageRouter _router;
    private readonly bool _authRequired;

    private ConnectOptions _options = new();
    private bool _connected;
    private Account _account;
    private string? _user;

    public ClientConnection(IClientHost server, ModularConnection connection, ulong id, ILogger logger)
    {
        _server = server;
        _connection = connection;
        _logger = logger;
        Id = id;
        var options = server.Options.Server;
        _parser = new ClientProtocolParser(options.MaxControlLine, options.MaxPayload);
        _output = new ConnectionOutput(connection, options.MaxPending, () => _closeReason = CloseReason.WriteError);
        _outbound = _output.Buffer;
        _batch = new FlushBatch(server.CountStall);
        _router = new MessageRouter(this, _batch);
        _authRequired = server.Authenticator.IsRequired(ConnectionKind.Client);
        _account = server.Accounts.Global;
        _account.ClientJoined();
        RemoteEndPoint = connection.RemoteEndPoint as IPEndPoint;
        Start = DateTime.UtcNow;
        _lastActivityTicks = Environment.TickCount64;
        _nextPingTicks = Environment.TickCount64 + (long)options.PingInterval.TotalMilliseconds;
    }

    public ulong Id { get; }

    public IPEndPoint? RemoteEndPoint { get; }

    public DateTime Start { get; }

    public Account Account => _account;

    /// <summary>Runs the session until the connection ends; never throws.</summary>
    public async Task RunAsync()
    {
        var reason = CloseReason.ClientClosed;
        try
        {
            if (_server.ClientConnectionWrapper is { } wrapper)
            {
                await SendInfoAndUpgradeAsync(wrapper).ConfigureAwait(false);
            }
            else
            {
                SendInfo();
            }

            reason = await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            reason = CloseReason.ReadError;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "cid:{cid} - unexpected error in read loop", Id);
            reason = CloseReason.ReadError;
        }

        // A client that went away gets nothing more; a close we began flushes its -ERR first.
        BeginClose(reason, flushFirst: false);
        try
        {
            await _output.Finished.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("cid:{cid} - writer did not finish within 5s of closing", Id);
        }

        await _output.LingerAsync().ConfigureAwait(false);
        await FinishCloseAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// A client wrapper ([server.tls]) runs when it says: after the plaintext INFO (nats-server's
    /// order) or before it, INFO then going out through it. INFO is written straight to the plain
    /// transport and flushed, so nothing is in flight when the wrapper replaces the transport.
    /// </summary>
    private async Task SendInfoAndUpgradeAsync(IConnectionWrapper wrapper)
    {
        var infoFirst = wrapper.ClientUpgrade == ClientUpgradeTiming.AfterInfo;
        if (infoFirst)
        {
            var info = InitialInfoLine();
            await _connection.Transport.Output.WriteAsync(info).ConfigureAwait(false);
        }

        await wrapper.WrapAsync(_connection, ConnectionKind.Client, ConnectionRole.Accepted).ConfigureAwait(false);
        if (!infoFirst)
        {
            SendInfo();
        }
    }

    private async Task<CloseReason> ReadLoopAsync()
    {
        var input = _connection.Transport.Input;
        while (!IsClosing)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            var outcome = BatchOutcome.NeedMore;
            try
            {
                _lastActivityTicks = Environment.TickCount64;
                outcome = ProcessBatch(ref buffer);
                while (outcome is BatchOutcome.AwaitAuth or BatchOutcome.Stalled)
                {
                    if (outcome == BatchOutcome.Stalled)
                    {
                        // A subscriber we fed is far behind: give it time to drain before reading more.
                        await _batch.WaitForStalledAsync().ConfigureAwait(false);
                    }
                    else
                    {
                        await CompletePendingAuthAsync().ConfigureAwait(false);
                    }

                    outcome = IsClosing ? BatchOutcome.Close : ProcessBatch(ref buffer);
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                FlushBatchTargets();
            }

            if (outcome == BatchOutcome.Close)
            {
                return _closeReason;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return CloseReason.ClientClosed;
            }
        }

        return _closeReason;
    }

    private enum BatchOutcome
    {
        NeedMore,
        AwaitAuth,

        /// <summary>A connection this client published to is stalled: wait, then go on with the buffer.</summary>
        Stalled,
        Close,
    }

    /// <summary>Parses and handles every whole operation in the buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    private BatchOutcome ProcessBatch(ref ReadOnlySequence<byte> buffer)
    {
        while (!IsClosing)
        {
            var status = _parser.TryParse(ref buffer, out var command, out var error);
            if (status == ParseStatus.Incomplete)
            {
                return BatchOutcome.NeedMore;
            }

            if (status == ParseStatus.Error)
            {
                HandleProtocolError(error);
                return BatchOutcome.Close;
            }

            if (_authRequired && !_connected && command.Op != ClientOp.Connect)
            {
                CloseWithError(ErrorMessages.AuthorizationViolation, CloseReason.AuthenticationViolation);
                return BatchOutcome.Close;
            }

            switch (command.Op)
            {
                case ClientOp.Pub:
                case ClientOp.HPub:
                    if (!ProcessPublish(ref command))
                    {
                        return BatchOutcome.Close;
                    }

                    if (_batch.HasStall)
                    {
                        return BatchOutcome.Stalled;
                    }

                    break;
                case ClientOp.Sub:
                    ProcessSubscribe(command.Subject, command.Queue, command.Sid);
                    break;
                case ClientOp.Unsub:
                    ProcessUnsubscribe(command.Sid, command.MaxMessages);
                    break;
                case ClientOp.Ping:
                    Send(ProtocolTokens.Pong);
                    if (_connected && _firstPongSent == 0)
                    {
                        OnFirstPong();
                    }

                    break;
                case ClientOp.Pong:
                    Volatile.Write(ref _pingsOut, 0);
                    break;
                case ClientOp.Connect:
                    var outcome = ProcessConnect(command.Json);
                    if (outcome != BatchOutcome.NeedMore)
                    {
                        return outcome;
                    }

                    break;
                case ClientOp.Info:
                    break; // clients may send INFO; nothing in it concerns us
            }
        }

        return BatchOutcome.Close;
    }

    private void HandleProtocolError(ProtocolError error)
    {
        switch (error)
        {
            case ProtocolError.MaxPayloadExceeded:
                CloseWithError(ErrorMessages.MaxPayloadViolation, CloseReason.MaxPayloadExceeded);
                break;
            case ProtocolError.MaxControlLineExceeded:
                CloseWithError(ErrorMessages.MaxControlLineExceeded, CloseReason.MaxControlLineExceeded);
                break;
            case ProtocolError.UnknownOperation:
                CloseWithError(ErrorMessages.UnknownProtocolOperation, CloseReason.ParseError);
                break;
            default:
                // nats-server closes on bad arguments without telling the client why.
                BeginClose(CloseReason.ProtocolViolation, flushFirst: true);
                break;
        }
    }

    /// <summary>Queues bytes for this client (a control reply such as PONG or +OK); flushed at the end of the batch.</summary>
    private void Send(ReadOnlySpan<byte> bytes)
    {
        lock (_outbound.Gate)
        {
            if (IsClosing)
            {
                return;
            }

            if (!_outbound.TryReserve(bytes.Length, out var destination))
            {
                MarkSlowConsumer(CloseReason.SlowConsumerPendingBytes);
                return;
            }

            bytes.CopyTo(destination);
            _outbound.Commit(bytes.Length);
            _output.QueueFlushLocked(_batch);
        }
    }

    /// <summary>Queues an -ERR line in this read batch (errors that do not close the connection).</summary>
    private void SendError(string message)
    {
        Span<byte> line = stackalloc byte[message.Length + 9];
        Send(FormatError(message, line));
    }

    private static ReadOnlySpan<byte> FormatError(string message, Span<byte> line)
    {
        "-ERR '"u8.CopyTo(line);
        var written = System.Text.Encoding.ASCII.GetBytes(message, line[6..]);
        "'\r\n"u8.CopyTo(line[(6 + written)..]);
        return line[..(9 + written)];
    }

    private void SendOk()
    {
        if (_options.Verbose)
        {
            Send(ProtocolTokens.Ok);
        }
    }

    /// <summary>Sends -ERR and closes once it is written. Safe from any thread (the timer uses it too).</summary>
    private void CloseWithError(string message, CloseReason reason)
    {
        Span<byte> line = stackalloc byte[message.Length + 9];
        var bytes = FormatError(message, line);
        _output.SendNow(bytes);
        BeginClose(reason, flushFirst: true);
    }
}
