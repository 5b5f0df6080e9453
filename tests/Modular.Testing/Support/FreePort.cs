using System.Net;
using System.Net.Sockets;

namespace Modular.Testing;

/// <summary>
/// Asks the OS for an unused loopback port: bind port 0, read it back, release it. A port is never
/// handed out twice in one test run, so two servers started in parallel do not collide on it.
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> HandedOut = new();

    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port;
            try
            {
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            finally
            {
                listener.Stop();
            }

            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("The OS kept returning ports already handed out to this test run.");
    }
}
