using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Modular.Plugins.Tests.Harness;

/// <summary>
/// A running <c>modular run -c FILE</c> with a config the test wrote; ready once its client port
/// answers with INFO. Output is kept for assertion messages. Dispose kills it.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Process _process;
    private readonly List<string> _output = new();

    private ServerProcess(Process process, string configPath, int clientPort, int? monitorPort)
    {
        _process = process;
        ConfigPath = configPath;
        ClientPort = clientPort;
        MonitorPort = monitorPort;
    }

    public string ConfigPath { get; }

    public int ClientPort { get; }

    public int? MonitorPort { get; }

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToArray();
            }
        }
    }

    public string Describe() => $"--- {ConfigPath}:\n{File.ReadAllText(ConfigPath)}\n--- output:\n{string.Join('\n', Output)}";

    /// <summary>Starts the server on the config at <paramref name="configPath"/>, which listens for clients on <paramref name="clientPort"/>.</summary>
    public static async Task<ServerProcess> StartAsync(string configPath, int clientPort, int? monitorPort = null)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(configPath)!,
        };
        startInfo.ArgumentList.Add(HostLocator.FindHostDll());
        startInfo.ArgumentList.Add("run");
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(configPath);
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = startInfo };
        var server = new ServerProcess(process, configPath, clientPort, monitorPort);
        process.OutputDataReceived += (_, e) => server.Capture(e.Data, "");
        process.ErrorDataReceived += (_, e) => server.Capture(e.Data, "err| ");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Wait.Until(async () => !process.HasExited && await AnswersInfoAsync(clientPort), TimeSpan.FromSeconds(30), $"modular on port {clientPort}");
        }
        catch (TimeoutException ex)
        {
            var description = server.Describe();
            await server.DisposeAsync();
            throw new TimeoutException(ex.Message + "\n" + description);
        }

        return server;
    }

    /// <summary>True once a connection to the port gets a line starting with INFO.</summary>
    public static async Task<bool> AnswersInfoAsync(int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            var line = await reader.ReadLineAsync(timeout.Token);
            return line?.StartsWith("INFO ", StringComparison.Ordinal) == true;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The distinct remote server ids in /routez.</summary>
    public async Task<HashSet<string>> RouteRemoteIdsAsync()
    {
        using var json = JsonDocument.Parse(await Http.GetStringAsync($"http://127.0.0.1:{MonitorPort}/routez"));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (json.RootElement.TryGetProperty("routes", out var routes) && routes.ValueKind == JsonValueKind.Array)
        {
            foreach (var route in routes.EnumerateArray())
            {
                if (route.TryGetProperty("remote_id", out var id) && id.GetString() is { Length: > 0 } text)
                {
                    ids.Add(text);
                }
            }
        }

        return ids;
    }

    /// <summary>This server's id, from /varz.</summary>
    public async Task<string> ServerIdAsync()
    {
        using var json = JsonDocument.Parse(await Http.GetStringAsync($"http://127.0.0.1:{MonitorPort}/varz"));
        return json.RootElement.GetProperty("server_id").GetString()!;
    }

    private void Capture(string? line, string prefix)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(prefix + line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
