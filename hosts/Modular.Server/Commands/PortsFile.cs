using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Modular.Core.Server;

namespace Modular.Server.Commands;

/// <summary>
/// nats-server's <c>ports_file_dir</c>: once every listener is bound, the server writes
/// <c>&lt;exe&gt;_&lt;pid&gt;.ports</c> into the folder, JSON with the URLs it really listens on
/// (<c>{"nats":[...],"monitoring":[...],"cluster":[...]}</c>), and removes it at a clean exit. A
/// supervisor or a test that started the server on port 0 reads its ports there.
/// </summary>
internal sealed class PortsFile : IDisposable
{
    private readonly string _path;
    private readonly ILogger _logger;

    private PortsFile(string path, ILogger logger)
    {
        _path = path;
        _logger = logger;
    }

    /// <summary>The file name nats-server uses: the executable's name, an underscore, the process id.</summary>
    public static string FileName => $"{ExecutableName()}_{Environment.ProcessId}.ports";

    /// <summary>Writes the bound ports of <paramref name="server"/> into <paramref name="directory"/>; null when the write failed (logged).</summary>
    public static PortsFile? TryWrite(string directory, NatsServer server, ILogger logger)
    {
        var path = Path.Combine(directory, FileName);
        var ports = new Dictionary<string, string[]>();
        Add(ports, "nats", "nats", server.ClientEndPoint);
        Add(ports, "monitoring", "http", server.MonitorEndPoint);
        Add(ports, "cluster", "nats", server.Routes?.EndPoint);
        try
        {
            // Written beside and renamed, so a reader never sees half a file.
            var partial = path + ".tmp";
            File.WriteAllText(partial, JsonSerializer.Serialize(ports));
            File.Move(partial, path, overwrite: true);
            return new PortsFile(path, logger);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogError("Error writing ports file {Path}: {Reason}", path, ex.Message);
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogError("Error cleaning up ports file {Path}: {Reason}", _path, ex.Message);
        }
    }

    private static void Add(Dictionary<string, string[]> ports, string key, string scheme, IPEndPoint? endPoint)
    {
        if (endPoint is not null)
        {
            ports[key] = Addresses(endPoint.Address).Select(address => $"{scheme}://{new IPEndPoint(address, endPoint.Port)}").ToArray();
        }
    }

    /// <summary>A wildcard listener is reachable on every interface address of its family, as nats-server lists them.</summary>
    private static IEnumerable<IPAddress> Addresses(IPAddress bound)
    {
        if (!bound.Equals(IPAddress.Any) && !bound.Equals(IPAddress.IPv6Any))
        {
            return [bound];
        }

        var family = bound.AddressFamily;
        var all = NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus == OperationalStatus.Up)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .Where(address => address.AddressFamily == family && !(family == AddressFamily.InterNetworkV6 && address.IsIPv6LinkLocal))
            .ToArray();
        return all.Length > 0 ? all : [family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback];
    }

    private static string ExecutableName()
    {
        // Under `dotnet modular.dll` the process is dotnet; the command is still modular.
        var name = Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "modular");
        return name is "dotnet" or "" ? "modular" : name;
    }
}
