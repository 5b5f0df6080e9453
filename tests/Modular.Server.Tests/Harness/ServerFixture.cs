namespace Modular.Server.Tests.Harness;

/// <summary>
/// A class fixture that runs one <c>modular</c> process for every test of a class. Each test class
/// derives its own fixture with the config it needs, so classes run in parallel on their own ports.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    private ModularProcess? _server;

    protected abstract ModularConfig Config { get; }

    public ModularProcess Server => _server ?? throw new InvalidOperationException("The server fixture has not started");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _server = await ModularProcess.StartAsync(Config, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
