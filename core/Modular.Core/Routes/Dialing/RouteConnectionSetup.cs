using Microsoft.Extensions.Logging;
using Modular.Abstractions.Transport;

namespace Modular.Core.Routes.Dialing;

/// <summary>
/// Applies the route transport wrapper (TLS) to a connection, accepted or dialed, before the first
/// protocol byte. The wrapper is read at each call: a reload may replace it.
/// </summary>
public sealed class RouteConnectionSetup
{
    private static readonly TimeSpan WrapTimeout = TimeSpan.FromSeconds(5);

    private readonly Func<IConnectionWrapper?> _wrapper;
    private readonly ILogger _logger;
    private readonly CancellationToken _shutdown;

    public RouteConnectionSetup(Func<IConnectionWrapper?> wrapper, ILogger logger, CancellationToken shutdown)
    {
        _wrapper = wrapper;
        _logger = logger;
        _shutdown = shutdown;
    }

    /// <summary>False when the wrapper failed: the connection is closed then.</summary>
    public async Task<bool> WrapAsync(ModularConnection connection, ConnectionRole role)
    {
        if (_wrapper() is not { } wrapper)
        {
            return true;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_shutdown);
            timeout.CancelAfter(WrapTimeout);
            await wrapper.WrapAsync(connection, ConnectionKind.Route, role, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e)
        {
            _logger.LogError("Route transport handshake error with {remote}: {error}", connection.RemoteEndPoint, e.Message);
            await connection.DisposeAsync().ConfigureAwait(false);
            return false;
        }
    }
}
