using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Transport;

namespace Modular.Core.PeerSessions;

/// <summary>
/// One dial of a URL another server listens on (a gateway, a leaf node remote): the host resolved
/// (a literal address as it is), each address tried in turn within one deadline, failures logged at
/// debug level and the next address tried. The caller's loop decides when to dial again.
/// </summary>
/// <param name="kind">How the logs name what is dialed: "gateway", "leafnode remote".</param>
public sealed class PeerDialer(ITransport transport, TimeSpan timeout, ILogger logger, string kind, CancellationToken shutdown)
{
    /// <summary>The first address of <paramref name="url"/> that accepts; null when none did.</summary>
    /// <param name="skip">Addresses not to dial (this server's own listener).</param>
    public async Task<ModularConnection?> DialAsync(Uri url, Func<IPAddress, bool>? skip = null)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
            deadline.CancelAfter(timeout);
            var addresses = IPAddress.TryParse(url.Host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(url.Host, deadline.Token).ConfigureAwait(false);
            foreach (var address in addresses)
            {
                if (skip?.Invoke(address) == true)
                {
                    continue;
                }

                try
                {
                    return await transport.ConnectAsync(new IPEndPoint(address, url.Port), deadline.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or IOException)
                {
                    logger.LogDebug("Error connecting to {kind} at {url}: {error}", kind, url, e.Message);
                }
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            logger.LogDebug("Error resolving {kind} {url}: {error}", kind, url, e.Message);
        }

        return null;
    }
}
