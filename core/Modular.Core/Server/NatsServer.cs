using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Core.Accounts;
using Modular.Core.Clients;
using Modular.Core.Config;

namespace Modular.Core.Server;

// SKELETON: the public surface other parts (host, monitoring) program against. Internals land with the client protocol.
/// <summary>One Modular server: listeners, accounts, connections. The `modular` host is a thin shell over this.</summary>
public sealed partial class NatsServer : IAsyncDisposable
{
    public const string ServerVersion = "2.10.0";

    public NatsServer(ModularOptions options, ILoggerFactory loggerFactory)
    {
        Options = options;
        LoggerFactory = loggerFactory;
        ServerId = ServerIdentity.NewServerId();
        ServerName = options.Server.Name ?? ServerId;
        Accounts = new AccountRegistry(options.Accounts.Keys);
    }

    public ModularOptions Options { get; }

    public ILoggerFactory LoggerFactory { get; }

    public string ServerId { get; }

    public string ServerName { get; }

    public DateTime StartTime { get; private set; } = DateTime.UtcNow;

    public AccountRegistry Accounts { get; }

    public ServerStatistics Statistics { get; } = new();

    /// <summary>The bound client listener address (with the real port), once started.</summary>
    public IPEndPoint? ClientEndPoint { get; private set; }

    /// <summary>The bound monitoring address, once started; null when monitoring is off.</summary>
    public IPEndPoint? MonitorEndPoint { get; private set; }

    /// <summary>True once the client listener accepts connections (for /healthz).</summary>
    public bool IsAcceptingClients { get; private set; }

    public IReadOnlyList<ClientSnapshot> GetClients() => throw new NotImplementedException();

    /// <summary>Recently closed clients, newest last, with stop time and reason.</summary>
    public IReadOnlyList<ClientSnapshot> GetClosedClients() => throw new NotImplementedException();

    public int ClientCount => throw new NotImplementedException();

    public Task StartAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
