using Microsoft.Extensions.Logging;

namespace Modular.Core.Routes;

// Compression negotiation and the switch-over (protocol.md §5.2, §5.3). In each direction,
// everything after that side's first INFO is compressed: the dialer sends a plain INFO naming its
// chosen mode and then switches; the acceptor switches and answers with a compressed INFO. Both
// register on the INFO that follows. Bytes already read after the INFO go to the decoder.
public sealed partial class RouteConnection
{
    private string? _pendingSwitchMode;
    private byte[]? _infoAfterSwitch;
    private bool _awaitingCompressedInfo;

    /// <summary>What /routez shows: off, not supported, or the chosen s2 mode.</summary>
    public string CompressionMode { get; private set; } = "off";

    private static bool Compresses(string? mode) => mode is not null && mode.StartsWith("s2_", StringComparison.Ordinal);

    /// <summary>
    /// Decides compression on the peer's first INFO. True when the switch-over started: the caller
    /// stops parsing and the read loop swaps the stream; registration waits for the next INFO.
    /// </summary>
    private bool TryStartCompression(RouteInfo info)
    {
        var provider = _manager.Compression;
        if (provider is null)
        {
            return false;
        }

        if (string.IsNullOrEmpty(info.Compression) || info.Compression == "not supported")
        {
            CompressionMode = "not supported";
            return false;
        }

        // The acceptor only switches when the dialer's INFO already chose a compressing mode.
        if (!DidSolicit && !Compresses(info.Compression))
        {
            return false;
        }

        string chosen;
        try
        {
            chosen = provider.Negotiate(info.Compression, Rtt);
        }
        catch (ArgumentException)
        {
            CloseWithError($"unsupported route compression mode \"{info.Compression}\"", RouteCloseReason.ProtocolViolation);
            return true;
        }

        CompressionMode = chosen;
        if (!Compresses(chosen))
        {
            return false;
        }

        var negotiation = _manager.BuildInfo();
        negotiation.Compression = chosen;
        if (DidSolicit)
        {
            // Plain, with no pool index: the real INFO follows, compressed, once the peer answers.
            _output.SendNow(negotiation.ToLine());
        }
        else
        {
            _infoAfterSwitch = negotiation.ToLine();
        }

        _pendingSwitchMode = chosen;
        _awaitingCompressedInfo = true;
        return true;
    }

    /// <summary>Runs in the read loop once the INFO that starts compression has been consumed.</summary>
    private async Task<bool> SwitchToCompressionAsync()
    {
        var mode = _pendingSwitchMode!;
        _pendingSwitchMode = null;
        if (!await _output.WhenIdleAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
        {
            BeginClose(RouteCloseReason.WriteError, flushFirst: false);
            return false;
        }

        _connection.Transport = _manager.Compression!.Wrap(_connection.Transport, mode);
        _logger.LogDebug("rid:{rid} - route stream switched to {mode}", Id, mode);
        if (_infoAfterSwitch is { } info)
        {
            _infoAfterSwitch = null;
            _output.SendNow(info);
        }

        return true;
    }
}
