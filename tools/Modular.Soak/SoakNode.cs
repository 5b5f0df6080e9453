using System.Diagnostics;
using System.Text.Json;

namespace Modular.Soak;

/// <summary>
/// One <c>modular run</c> process: its config is written to the work folder, every listener on
/// port 0, and the bound ports are read back from the ports file it writes.
/// </summary>
public sealed class SoakNode : IDisposable
{
    private readonly Process _process;

    private SoakNode(string name, Process process, string clientUrl, string monitorUrl, string routeUrl)
    {
        Name = name;
        _process = process;
        ClientUrl = clientUrl;
        MonitorUrl = monitorUrl;
        RouteUrl = routeUrl;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public string ClientUrl { get; }

    public string MonitorUrl { get; }

    public string RouteUrl { get; }

    public bool HasExited => _process.HasExited;

    public static async Task<SoakNode> StartAsync(string host, string work, string name, IReadOnlyList<string> routes, CancellationToken ct)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, name)).FullName;
        var config = Path.Combine(folder, name + ".toml");
        var routeList = string.Join(", ", routes.Select(r => $"\"{r}\""));
        await File.WriteAllTextAsync(config, $"""
            [server]
            name = "{name}"
            listen = "127.0.0.1:0"

            [monitor]
            listen = "127.0.0.1:0"

            [log]
            level = "warning"
            file = "{Path.Combine(folder, name + ".log")}"

            [cluster]
            name = "soak"
            listen = "127.0.0.1:0"
            routes = [{routeList}]
            """, ct);

        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { host, "run", "-c", config, "--ports_file_dir", folder })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine($"[{name}] {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var portsFile = Path.Combine(folder, $"modular_{process.Id}.ports");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!File.Exists(portsFile))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                Kill(process);
                throw new InvalidOperationException($"{name} did not write {portsFile} within 30 s (exited: {process.HasExited})");
            }

            await Task.Delay(50, ct);
        }

        // Written beside and renamed by the server: whole once it exists.
        using var ports = JsonDocument.Parse(await File.ReadAllTextAsync(portsFile, ct));
        string First(string kind) => ports.RootElement.GetProperty(kind)[0].GetString()!;
        return new SoakNode(name, process, First("nats"), First("monitoring"), First("cluster").Replace("nats://", "nats-route://", StringComparison.Ordinal));
    }

    public void Dispose() => Kill(_process);

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }
}
