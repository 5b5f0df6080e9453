using Modular.Core.Delivery;

namespace Modular.Core.Tests.Delivery;

/// <summary>
/// The close of a stale connection: the -ERR is handed over, then the transport is aborted at once,
/// with no half-close to linger on (a peer that answers no PING sends no FIN either).
/// </summary>
public sealed class ConnectionOutputStaleCloseTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TryBeginClose_FlushWithoutLinger_SendsTheErrorThenAbortsWithoutShuttingTheSendSide()
    {
        var connection = new PipeEnds();
        var output = new ConnectionOutput(connection, maxPending: 1 << 20, onWriteFailed: () => { });
        output.SendNow("-ERR 'Stale Connection'\r\n"u8);

        Assert.True(output.TryBeginClose(flushFirst: true, lingerAfterFlush: false));

        Assert.Equal("-ERR 'Stale Connection'\r\n", await connection.ReadToEndAsync(Timeout));
        await output.Finished.WaitAsync(Timeout);
        Assert.Equal(0, connection.SendShutdowns);
        Assert.True(connection.Aborts >= 1);

        // Nothing to linger on: the owner goes on to remove the connection at once.
        await output.LingerAsync().WaitAsync(Timeout);
    }
}
