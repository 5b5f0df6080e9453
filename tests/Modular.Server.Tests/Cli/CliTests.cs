namespace Modular.Server.Tests.Cli;

/// <summary>The <c>modular</c> command line (DESIGN.md §4): exit codes and what goes to stdout/stderr.</summary>
public sealed class CliTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

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

        var result = await ModularCli.RunAsync(Deadline, "check", "-c", path);

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

        var result = await ModularCli.RunAsync(Deadline, "check", "-c", path);

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

        var result = await ModularCli.RunAsync(Deadline, "check", "-c", path);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{path}:2: ", result.StdErrLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_MissingFile_ExitsTwoWithOneLine()
    {
        var path = Path.Combine(_folder, "missing.toml");

        var result = await ModularCli.RunAsync(Deadline, "check", "-c", path);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StdErrLines);
        Assert.StartsWith(path + ": ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WithoutConfigOption_ExitsTwo()
    {
        var result = await ModularCli.RunAsync(Deadline, "check");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("-c FILE", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_ConfigWithLogFile_CreatesNothing()
    {
        var path = WriteConfig("quiet.toml", "[log]\nfile = \"logs/quiet.log\"\n");

        var result = await ModularCli.RunAsync(Deadline, "check", "-c", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["quiet.toml"], Directory.EnumerateFileSystemEntries(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Run_BadConfig_ExitsTwoWithErrorsOnStderr()
    {
        var path = WriteConfig("bad-run.toml", "[server]\nlisten = \"4222\"\n");

        var result = await ModularCli.RunAsync(Deadline, "run", "-c", path);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{path}:2: server.listen: ", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownOption_ExitsTwo()
    {
        var result = await ModularCli.RunAsync(Deadline, "run", "--frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--frobnicate", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_ExitsTwoWithOneLine()
    {
        var result = await ModularCli.RunAsync(Deadline, "frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StdOut);
        Assert.Contains("frobnicate", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoArguments_PrintsUsageOnStderrAndExitsTwo()
    {
        var result = await ModularCli.RunAsync(Deadline);

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
        var result = await ModularCli.RunAsync(Deadline, argument);

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
        var result = await ModularCli.RunAsync(Deadline, "--version");

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
}
