using System.Diagnostics;

namespace Modular.Monitoring.Tests.Prometheus;

/// <summary>
/// Debian's <c>prometheus</c> package (<c>prometheus</c> and <c>promtool</c>); scripts/test.sh
/// installs it. Tests that need it skip with a message when it is missing.
/// </summary>
internal static class PrometheusTools
{
    public static string? Prometheus => Find("prometheus");

    public static string? Promtool => Find("promtool");

    /// <summary>Runs <c>promtool check metrics</c> over <paramref name="exposition"/>: the exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string promtool, string exposition)
    {
        var info = new ProcessStartInfo(promtool)
        {
            ArgumentList = { "check", "metrics" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("promtool did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string? Find(string name) =>
        new[] { "/usr/bin/", "/usr/local/bin/", "/bin/" }.Select(dir => dir + name).FirstOrDefault(File.Exists);
}
