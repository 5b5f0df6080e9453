using System.Net;

namespace Modular.Abstractions.Transport;

/// <summary>A bound listener that yields accepted connections until it is disposed.</summary>
public interface IConnectionListener : IAsyncDisposable
{
    /// <summary>The address actually bound (with the real port when 0 was asked for).</summary>
    EndPoint EndPoint { get; }

    /// <summary>The next accepted connection, or null once the listener is closed.</summary>
    ValueTask<ModularConnection?> AcceptAsync(CancellationToken cancellationToken = default);
}
