using System.Net;

namespace Modular.Core.Transport;

/// <summary>The address a configured listen host stands for ("", "0.0.0.0" and "*" mean every interface).</summary>
public static class HostAddress
{
    public static IPAddress Parse(string host) => host switch
    {
        "" or "0.0.0.0" or "*" => IPAddress.Any,
        "localhost" => IPAddress.Loopback,
        _ => IPAddress.Parse(host),
    };
}
