using System.Text;
using Microsoft.Extensions.Logging;
using Modular.Core.Accounts;
using Modular.Core.Routes.Handshake;
using Modular.Core.Routes.Peers;

namespace Modular.Core.Routes;

// Applying what the handshake state machine (RouteHandshake) decides: refusals close, an accepted
// INFO negotiates compression (RouteCompressionSwitch) and registers, later INFOs go to the
// cluster. Registration assigns the place and, on the dialing side, sends the INFO that was held
// back until then.
public sealed partial class RouteConnection
{
    private int _registered;

    // The peer said lnoc: a message from a clustered leaf goes to it as LMSG naming that cluster.
    private bool _peerTakesLeafOrigin;

    /// <summary>The peer's first INFO; null until it arrives.</summary>
    public RouteInfo? RemoteInfo => _handshake.RemoteInfo;

    public string? RemoteId => RemoteInfo?.ServerId;

    public override string? RemoteName => RemoteInfo?.ServerName;

    /// <summary>True once the connection carries interest and messages.</summary>
    public override bool IsRegistered => Volatile.Read(ref _registered) != 0;

    /// <summary>The pool slot this connection holds (0 for a legacy or pinned route).</summary>
    public int PoolIndex { get; private set; }

    /// <summary>True when the peer does not pool (nats-server 2.9, or pool_size -1): this one connection carries every account.</summary>
    public bool NoPool { get; private set; }

    /// <summary>The account a pinned route is dedicated to; null for pooled and legacy routes.</summary>
    public Account? PinnedAccount { get; private set; }

    /// <summary>True when the peer takes HMSG (said headers:true).</summary>
    public bool RemoteHeaders => RemoteInfo?.Headers ?? false;

    /// <summary>What /routez shows: off, not supported, or the level the writer uses now.</summary>
    public string CompressionMode => _compression.Mode;

    /// <summary>Bytes before and after compression, both ways (zeros when the route is plain).</summary>
    public (long OutUncompressed, long OutCompressed, long InCompressed, long InUncompressed) CompressionCounts => _compression.Counts;

    private void Apply(in HandshakeOutcome outcome)
    {
        switch (outcome.Result)
        {
            case HandshakeResult.Refused when outcome.Error is not null:
                Closer.WithError(outcome.Error, outcome.Reason);
                break;
            case HandshakeResult.Refused:
                BeginClose(outcome.Reason, outcome.Flush);
                break;
            case HandshakeResult.Accepted when !TryStartCompression(outcome.Info!):
                Register(outcome.Info!);
                break;
            case HandshakeResult.Update:
                _manager.OnInfoUpdate(this, outcome.Update, outcome.Info!);
                break;
        }
    }

    /// <summary>True when the compression switch-over started (or the peer's mode closed the route): registration waits.</summary>
    private bool TryStartCompression(RouteInfo info)
    {
        try
        {
            // Before the first PONG the time since the connection started stands in for the RTT, as nats-server does.
            return _compression.TryStart(info.Compression, DidSolicit, Rtt ?? DateTime.UtcNow - Start, () => _manager.BuildInfo(this));
        }
        catch (Exception e) when (e is ArgumentException or System.Net.ProtocolViolationException)
        {
            Closer.WithError($"unsupported route compression mode \"{info.Compression}\"", RouteCloseReason.ProtocolViolation);
            return true;
        }
    }

    private void ProcessInfo(ReadOnlySpan<byte> json)
    {
        if (_compression.TakeInfoAfterSwitch(json) is { } afterSwitch)
        {
            // The first INFO after the switch-over: now the route registers.
            Register(_handshake.OnInfoAfterSwitch(afterSwitch));
            return;
        }

        Apply(_handshake.OnInfo(json));
    }

    private void Register(RouteInfo info)
    {
        _peerTakesLeafOrigin = info.Lnoc;
        var outcome = _manager.TryRegister(this, info);
        switch (outcome.Result)
        {
            case RegistrationResult.Registered:
                break;
            case RegistrationResult.Error:
                Closer.WithError(outcome.Error!, outcome.Reason);
                return;
            default:
                Logger.LogDebug("rid:{rid} - closing route to {remote}: {reason}", Id, info.ServerId, outcome.Reason.Describe());
                BeginClose(outcome.Reason, flushFirst: false);
                return;
        }

        Logger.LogInformation(
            "rid:{rid} - Route connection created to {remoteName} ({remoteId}) at {remote}{kind}",
            Id,
            info.ServerName,
            info.ServerId,
            RemoteEndPoint,
            PinnedAccount is not null ? $", pinned to account {PinnedAccount.Name}" : NoPool ? ", no pool" : $", pool index {PoolIndex}");
        KeepAlive.OnRegistered();
    }

    /// <summary>Called by the registry under its lock once the place is decided, before anyone else can see this route.</summary>
    internal void AssignSlot(int poolIndex, bool noPool, Account? pinnedAccount)
    {
        PoolIndex = poolIndex;
        NoPool = noPool;
        PinnedAccount = pinnedAccount;
        Parser.AccountImplied = pinnedAccount is not null;
        RemoteInterest.ImpliedAccount = pinnedAccount;
        if (DidSolicit)
        {
            // The dialer's INFO names the compression mode it settled on ("off" when nothing is compressed).
            Output.SendNow(_handshake.HeldBackInfo(poolIndex, noPool, pinnedAccount?.Name, _manager.Compression is not null ? CompressionMode : null));
        }

        Volatile.Write(ref _registered, 1);
    }

    private void ProcessRemoteError(ReadOnlySpan<byte> text)
    {
        var message = Encoding.UTF8.GetString(text);
        if (DialTarget?.PinnedAccount is { } pinned && RemoteId is { } remote && RouteHandshake.IsPinRefusal(message))
        {
            // The peer does not pin this account: its interest and messages go on the pooled route meanwhile.
            _manager.OnPinRefused(remote, pinned);
        }

        BeginClose(RouteHandshake.ReasonForRemoteError(message), flushFirst: false);
    }
}
