using System.Diagnostics;

namespace Modular.Server.Tests.Cli;

/// <summary>The <c>modular</c> command line (DESIGN.md §4): exit codes and what goes to stdout/stderr.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "modular-cli-" + Guid.NewGuid().ToString("N"));

    public CliTests()
    {
        Directory.CreateDirectory(_folder);
    }

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Check_GoodFile_ExitsZeroAndSaysOk()
    {
        var path = WriteConfig("good.toml", """
            [server]
            name = "n1"
            listen = "127.0.0.1:4222"
            max_payload = "1MB"

            [monitor]
            listen = "127.0.0.1:8222"

            [accounts.ORDERS]
            users = [ { user = "alice", password = "secret" } ]
            """);

        var result = await Modular.RunAsync("check", "-c", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"configuration OK: {path}", result.StdOut.Trim());
        Assert.Equal("", result.StdErr);
    }

    [Fact]
    public async Task Check_BadFile_ExitsTwoAndNamesFileLineAndKeyOfEveryError()
    {
        var path = WriteConfig("bad.toml", """
            [server]
            name = "n1"
            max_payload = "lots"

            [log]
            level = "chatty"
            """);

        var result = await Modular.RunAsync("check", "-c", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StdOut);
        var lines = result.StdErrLines;
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{path}:3: server.max_payload: ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{path}:6: log.level: ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_SyntaxError_ExitsTwoAndNamesLine()
    {
        var path = WriteConfig("syntax.toml", "[server]\nname = \n");

        var result = await Modular.RunAsync("check", "-c", path);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{path}:2: ", result.StdErrLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_MissingFile_ExitsTwoWithOneLine()
    {
        var path = Path.Combine(_folder, "missing.toml");

        var result = await Modular.RunAsync("check", "-c", path);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StdErrLines);
        Assert.StartsWith(path + ": ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WithoutConfigOption_ExitsTwo()
    {
        var result = await Modular.RunAsync("check");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("-c FILE", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_ConfigWithLogFile_CreatesNothing()
    {
        var path = WriteConfig("quiet.toml", "[log]\nfile = \"logs/quiet.log\"\n");

        var result = await Modular.RunAsync("check", "-c", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["quiet.toml"], Directory.EnumerateFileSystemEntries(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Run_BadConfig_ExitsTwoWithErrorsOnStderr()
    {
        var path = WriteConfig("bad-run.toml", "[server]\nlisten = \"4222\"\n");

        var result = await Modular.RunAsync("run", "-c", path);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{path}:2: server.listen: ", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownOption_ExitsTwo()
    {
        var result = await Modular.RunAsync("run", "--frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--frobnicate", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_ExitsTwoWithOneLine()
    {
        var result = await Modular.RunAsync("frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StdOut);
        Assert.Contains("frobnicate", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoArguments_PrintsUsageOnStderrAndExitsTwo()
    {
        var result = await Modular.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StdOut);
        Assert.Contains("modular run", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("modular check -c FILE", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    public async Task Help_PrintsUsageOnStdoutAndExitsZero(string argument)
    {
        var result = await Modular.RunAsync(argument);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StdErr);
        // Every command the host dispatches, including those DESIGN.md §4 does not list (ldm, reload).
        foreach (var command in new[] { "modular run", "modular check", "modular up", "modular passwd", "modular plugins", "modular cluster check", "modular ldm", "modular reload" })
        {
            Assert.Contains(command, result.StdOut, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Version_PrintsVersionAndExitsZero()
    {
        var result = await Modular.RunAsync("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("modular ", result.StdOut, StringComparison.Ordinal);
        Assert.Single(result.StdOutLines);
    }

    private string WriteConfig(string name, string toml)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, toml);
        return path;
    }

    /// <summary>What a finished <c>modular</c> process left behind.</summary>
    private sealed record CliResult(int ExitCode, string StdOut, string StdErr)
    {
        public string[] StdOutLines => SplitLines(StdOut);

        public string[] StdErrLines => SplitLines(StdErr);

        private static string[] SplitLines(string text) =>
            text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>A tiny launcher for short-lived <c>modular</c> commands (servers use the shared harness).</summary>
    private static class Modular
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

        public static async Task<CliResult> RunAsync(params string[] args)
        {
            var startInfo = new ProcessStartInfo(DotnetPath())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            startInfo.ArgumentList.Add(HostDll());
            foreach (var arg in args)
            {
                startInfo.ArgumentList.Add(arg);
            }

            using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start dotnet");
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Deadline);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"modular {string.Join(' ', args)} did not exit within {Deadline}");
            }

            return new CliResult(process.ExitCode, await stdout, await stderr);
        }

        private static string DotnetPath()
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
            {
                return host;
            }

            var current = Environment.ProcessPath;
            return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }

        /// <summary>
        /// The modular.dll of the same build and configuration as these tests: next to them in the
        /// artifacts layout (<c>bin/Modular.Server/&lt;config&gt;/</c>), else under the repository's artifacts folder.
        /// </summary>
        private static string HostDll()
        {
            var testFolder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            var configuration = testFolder.Name;
            if (testFolder.Parent?.Parent is { } bin)
            {
                var sibling = Path.Combine(bin.FullName, "Modular.Server", configuration, "modular.dll");
                if (File.Exists(sibling))
                {
                    return sibling;
                }
            }

            for (var folder = testFolder; folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Modular.sln")))
                {
                    var inRepository = Path.Combine(folder.FullName, "artifacts", "bin", "Modular.Server", configuration, "modular.dll");
                    if (File.Exists(inRepository))
                    {
                        return inRepository;
                    }

                    break;
                }
            }

            throw new FileNotFoundException($"modular.dll ({configuration}) not found next to the tests or under the repository's artifacts folder");
        }
    }
}
