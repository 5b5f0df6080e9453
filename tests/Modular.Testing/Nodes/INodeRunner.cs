namespace Modular.Testing;

/// <summary>One backend of a <see cref="Node"/>: starts the server on a written config and reports where it listens.</summary>
internal interface INodeRunner : IAsyncDisposable
{
    bool IsRunning { get; }

    /// <summary>Starts the server on the config at <paramref name="configPath"/>; returns the ports it bound.</summary>
    Task<BoundPorts> StartAsync(string configPath, CancellationToken cancellationToken);

    /// <summary>Stops the server abruptly (a process: SIGKILL; in-process: disposed).</summary>
    Task KillAsync();
}
