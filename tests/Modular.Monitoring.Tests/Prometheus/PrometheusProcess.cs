using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Modular.Monitoring.Tests.Prometheus;

/// <summary>
/// A real Prometheus scraping the given monitoring endpoints every second, with its data in a
/// temporary folder and its web port on loopback (picked by binding 0 and releasing it: the best
/// an external process allows). Queried through its HTTP API.
/// </summary>
internal sealed class PrometheusProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http;

    private PrometheusProcess(Process process, string directory, Uri api)
    {
        _process = process;
        _directory = directory;
        _http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(5) };
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<PrometheusProcess> StartAsync(string executable, IEnumerable<IPEndPoint> targets)
    {
        var directory = Directory.CreateTempSubdirectory("modular-prometheus-").FullName;
        var config = new StringBuilder();
        config.Append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n");
        config.Append("scrape_configs:\n  - job_name: modular\n    metrics_path: /metrics\n    static_configs:\n      - targets: [");
        config.AppendJoin(", ", targets.Select(t => $"\"{t}\""));
        config.Append("]\n");
        var configFile = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, config.ToString());

        var port = ReleasedPort();
        var info = new ProcessStartInfo(executable)
        {
            ArgumentList =
            {
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + Path.Combine(directory, "data"),
                "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = directory,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("prometheus did not start");
        var prometheus = new PrometheusProcess(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        process.ErrorDataReceived += (_, e) => prometheus.Append(e.Data);
        process.OutputDataReceived += (_, e) => prometheus.Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var clock = Stopwatch.StartNew();
        while (!await prometheus.IsReadyAsync())
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                var log = prometheus.Log;
                prometheus.Dispose();
                throw new TimeoutException("prometheus was not ready within 30 s:\n" + log);
            }

            await Task.Delay(100);
        }

        return prometheus;
    }

    /// <summary>An instant PromQL query: the first sample's value, or null when the result is empty.</summary>
    public async Task<double?> QueryScalarAsync(string promql)
    {
        using var response = await _http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        response.EnsureSuccessStatusCode();
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0)
        {
            return null;
        }

        var value = result[0].GetProperty("value")[1].GetString();
        return double.Parse(value!, CultureInfo.InvariantCulture);
    }

    /// <summary>Scrape targets and their health ("up", "down", "unknown"), from /api/v1/targets.</summary>
    public async Task<IReadOnlyList<string>> TargetHealthAsync()
    {
        var targets = await _http.GetFromJsonAsync<JsonElement>("api/v1/targets");
        return targets.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => t.GetProperty("health").GetString() ?? "")
            .ToList();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int ReleasedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await _http.GetAsync("-/ready");
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
