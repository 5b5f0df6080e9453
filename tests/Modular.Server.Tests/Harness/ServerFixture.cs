namespace Modular.Server.Tests.Harness;

/// <summary>
/// A class fixture that runs one server for every test of a class: in-process (these tests only
/// talk to it over its sockets), or nats-server as a process when <see cref="ReferenceVariable"/>
/// asks to check the tests against the reference. Each test class derives its own fixture with the
/// config it needs; every listener binds port 0, so classes run in parallel.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    /// <summary>Set to <c>nats-server</c> to run the suite against the reference server instead (to check the tests).</summary>
    public const string ReferenceVariable = "MODULAR_E2E_SERVER";

    private static readonly NodeProgram Reference = new(NodeFlavor.NatsServer, "nats-server", "nats-server");

    private Node? _server;

    /// <summary>One server on its own: no cluster, no monitoring (a fixture turns on what it needs).</summary>
    protected static ConfigBuilder Standalone { get; } = new ConfigBuilder().Standalone();

    protected abstract ConfigBuilder Config { get; }

    public Node Server => _server ?? throw new InvalidOperationException("The server fixture has not started");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reference = string.Equals(Environment.GetEnvironmentVariable(ReferenceVariable), "nats-server", StringComparison.Ordinal);
        _server = reference
            ? await Node.StartAsync(Config, NodeBackend.Process, Reference, cancellationToken: timeout.Token)
            : await Node.StartAsync(Config, cancellationToken: timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
