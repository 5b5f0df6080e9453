using System.Diagnostics;

namespace Modular.Plugins.S2.Tests.Support;

/// <summary>
/// s2ref, the reference Go S2 codec as a filter: $MODULAR_S2REF, or built here from s2ref/main.go
/// when Go and Debian's golang-github-klauspost-compress-dev are installed; otherwise unavailable.
/// </summary>
public static class S2Ref
{
    private static readonly Lazy<(string? Path, string Why)> Tool = new(Locate);

    public static string? PathOrNull => Tool.Value.Path;

    public static string WhyUnavailable => Tool.Value.Why;

    public static byte[] Run(byte[] input, params string[] args)
    {
        var path = PathOrNull ?? throw new InvalidOperationException("s2ref is not available: " + WhyUnavailable);
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(output);
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException("s2ref did not finish in 30 s");
        }

        copyOut.Wait();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"s2ref {string.Join(' ', args)} failed ({process.ExitCode}): {error.Result.Trim()}");
        }

        return output.ToArray();
    }

    private static (string?, string) Locate()
    {
        if (Environment.GetEnvironmentVariable("MODULAR_S2REF") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? (configured, "") : (null, $"MODULAR_S2REF={configured} does not exist");
        }

        const string package = "/usr/share/gocode/src/github.com/klauspost/compress/s2";
        if (!Directory.Exists(package))
        {
            return (null, $"{package} is missing (apt-get install golang-github-klauspost-compress-dev, or run s2ref/get-s2ref.sh)");
        }

        var source = Path.Combine(AppContext.BaseDirectory, "s2ref");
        var output = Path.Combine(Path.GetTempPath(), "modular-s2ref-tests");
        Directory.CreateDirectory(output);
        var binary = Path.Combine(output, "s2ref");
        var building = binary + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            var info = new ProcessStartInfo("go", ["build", "-o", building, "."])
            {
                WorkingDirectory = source,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            info.Environment["GO111MODULE"] = "off";
            info.Environment["GOPATH"] = "/usr/share/gocode";
            info.Environment["GOCACHE"] = Path.Combine(output, "gocache");
            info.Environment["GOFLAGS"] = "";
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000) || process.ExitCode != 0)
            {
                return (null, "go build of s2ref failed: " + error.Result.Trim());
            }

            File.Move(building, binary, overwrite: true);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (null, "go is not installed: " + ex.Message);
        }

        return (binary, "");
    }
}
