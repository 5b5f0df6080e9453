using System.Diagnostics;
using NATS.Client.Core;

namespace Modular.Server.Tests.Deploy;

/// <summary>
/// <c>modular run --config_watch</c> on a real process, with the file laid out as a Kubernetes
/// ConfigMap volume lays it out (FILE -> ..data/FILE, ..data -> ..VERSION, swapped by renaming a
/// new ..data link over the old one), so no signal is needed to reload.
/// </summary>
public sealed class ConfigWatchTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("modular-config-watch-").FullName;
    private readonly OutputLog _output = new();
    private int _versions;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the stopping process; the temp folder is cleaned by the OS.
        }
    }

    [Fact]
    public async Task ConfigWatch_ConfigMapSwap_ReloadsChangedUsers_RefusesBadEditWithFileKeyLine_KeepsRunning()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var configPath = Path.Combine(_directory, "modular.toml");
        PublishVersion(Config("a", "pa", badKey: false));
        File.CreateSymbolicLink(configPath, Path.Combine("..data", "modular.toml"));

        using var process = HostProcess.Start(NodeProgram.Modular, ["run", "-c", configPath, "--ports_file_dir", _directory, "--config_watch", "200ms"], _directory, _output.Add);
        try
        {
            BoundPorts? ports = null;
            await Wait.Until(() => !process.HasExited && (ports = HostProcess.TryReadPortsFile(_directory, process.Id)) is not null, TimeSpan.FromSeconds(30), "the ports file\n" + _output.Tail(30));
            var clientPort = ports!.Client;
            Assert.True(await CanLogInAsync(clientPort, "a", "pa", timeout.Token), _output.Tail(30));
            Assert.False(await CanLogInAsync(clientPort, "b", "pb", timeout.Token), _output.Tail(30));

            // A new version of the ConfigMap: user a becomes user b, with no signal sent.
            PublishVersion(Config("b", "pb", badKey: false));
            await Wait.Until(() => CanLogInAsync(clientPort, "b", "pb", timeout.Token), TimeSpan.FromSeconds(15), "user b after the file changed\n" + _output.Tail(30));
            Assert.False(await CanLogInAsync(clientPort, "a", "pa", timeout.Token), _output.Tail(30));
            Assert.True(_output.Contains("modular.toml changed: reloading the configuration"), _output.Tail(30));

            // A bad edit (a typo on line 4): refused with file, line and key; the server keeps b and keeps serving.
            PublishVersion(Config("a", "pa", badKey: true));
            await Wait.Until(() => _output.Contains("Reload refused: "), TimeSpan.FromSeconds(15), "the refusal\n" + _output.Tail(30));
            Assert.True(_output.Contains("modular.toml:4: server.max_payloadd: unknown key"), _output.Tail(30));
            Assert.True(_output.Contains("still running on the previous configuration"), _output.Tail(30));
            Assert.False(process.HasExited, _output.Tail(30));
            Assert.True(await CanLogInAsync(clientPort, "b", "pb", timeout.Token), _output.Tail(30));
            Assert.False(await CanLogInAsync(clientPort, "a", "pa", timeout.Token), _output.Tail(30));
        }
        finally
        {
            await HostProcess.KillAsync(process);
        }
    }

    [Fact]
    public async Task ConfigWatch_WithoutConfigFile_IsAUsageError()
    {
        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "run", "--config_watch", "5s");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--config_watch needs -c FILE", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigWatch_NotADuration_IsAUsageError()
    {
        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "run", "-c", "x.toml", "--config_watch", "often");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--config_watch needs an interval", result.StdErr, StringComparison.Ordinal);
    }

    private static string Config(string user, string password, bool badKey) => $"""
        [server]
        name = "watched"
        listen = "127.0.0.1:0"
        {(badKey ? "max_payloadd = \"1MB\"" : "max_payload = \"1MB\"")}

        [monitor]
        listen = "127.0.0.1:0"

        [accounts.A]
        users = [ {"{"} user = "{user}", password = "{password}" {"}"} ]

        """.ReplaceLineEndings("\n");

    /// <summary>As the kubelet does: the content in a new ..VERSION folder, then a new ..data link renamed over the old one.</summary>
    private void PublishVersion(string content)
    {
        var version = $"..v{++_versions}";
        Directory.CreateDirectory(Path.Combine(_directory, version));
        File.WriteAllText(Path.Combine(_directory, version, "modular.toml"), content);
        var staged = Path.Combine(_directory, "..data_tmp");
        File.CreateSymbolicLink(staged, version);
        using var rename = Process.Start(new ProcessStartInfo("mv", ["-T", staged, Path.Combine(_directory, "..data")]) { UseShellExecute = false })!;
        rename.WaitForExit(10_000);
        Assert.Equal(0, rename.ExitCode);
    }

    private static async Task<bool> CanLogInAsync(int port, string user, string password, CancellationToken cancellationToken)
    {
        await using var connection = new NatsConnection(NatsOpts.Default with
        {
            Url = $"nats://127.0.0.1:{port}",
            AuthOpts = NatsAuthOpts.Default with { Username = user, Password = password },
            MaxReconnectRetry = 0,
            ConnectTimeout = TimeSpan.FromSeconds(3),
        });
        try
        {
            await connection.ConnectAsync();
            await connection.PingAsync(cancellationToken);
            return true;
        }
        catch (NatsException)
        {
            return false;
        }
    }
}
