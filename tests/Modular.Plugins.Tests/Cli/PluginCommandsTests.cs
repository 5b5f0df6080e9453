using System.Net.Sockets;
using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Cli;

/// <summary>`modular plugins`, `modular check` and `modular run` as users meet plugins: tables, one-line errors, exit code 2.</summary>
public sealed class PluginCommandsTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Plugins_WithConfig_ListsNameVersionSeamsTablesAndFolder()
    {
        _scratch.Write("users.txt", "alice wonderland\n");
        var config = _scratch.Write("modular.toml", $"""
            plugins = ["dns", {PluginFolders.Toml(PluginFolders.CustomAuth)}, {PluginFolders.Toml(PluginFolders.Probe)}]

            [server.auth]
            use = "users-file"
            users_file = "users.txt"
            """);

        var result = await ModularCli.RunAsync(_scratch.Folder, "plugins", "-c", config);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+VERSION\s+SEAMS\s+USED BY\s+FOLDER$", lines[0]);
        Assert.Matches($@"^dns\s+0\.1\.0\s+discovery\s+-\s+{Escape(Path.Combine(PluginFolders.Bundled, "dns"))}$", lines[1]);
        Assert.Matches($@"^users-file\s+1\.0\.0\s+auth\s+\[server\.auth\]\s+{Escape(PluginFolders.CustomAuth)}$", lines[2]);
        Assert.Matches($@"^probe\s+2\.3\.4\s+transport, auth, compression, discovery, route-pooling\s+-\s+{Escape(PluginFolders.Probe)}$", lines[3]);
    }

    [Fact]
    public async Task Plugins_WithoutConfig_ListsBundledPlugins()
    {
        var result = await ModularCli.RunAsync(_scratch.Folder, "plugins");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StdOut.Split('\n'), line => line.StartsWith("dns ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_ConfiguresPluginsWithoutStartingThem()
    {
        // fail_on_start would fail `run`; check configures only, so it passes.
        var config = _scratch.Write("modular.toml", $"""
            plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]

            [server.auth]
            use = "probe"
            fail_on_start = true
            """);

        var result = await ModularCli.RunAsync(_scratch.Folder, "check", "-c", config);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"configuration OK: {config}", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("[server.auth] client authentication: plugin probe 2.3.4", result.StdOut, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadConfigs => new()
    {
        { "missing folder", "plugins = [\"./nowhere\"]\n", ":1: plugins: \"./nowhere\": plugin folder not found: " },
        { "no plugin in folder", "plugins = [\"./empty\"]\n", ":1: plugins: \"./empty\": no plugin in " },
        { "incompatible contract", $"plugins = [{PluginFolders.Toml(PluginFolders.FutureProbe)}]\n", "was built against Modular.Abstractions 99.0.0, which this host" },
        { "duplicate name", $"plugins = [{PluginFolders.Toml(PluginFolders.Probe)}, {PluginFolders.Toml(PluginFolders.ProbeTwin)}]\n", "plugin name \"probe\" is already declared by" },
        { "use not loaded", "[server.auth]\nuse = \"bcrypt\"\n", ":2: server.auth.use: no loaded plugin is named \"bcrypt\" (loaded: none)" },
        { "use wrong seam", $"plugins = [{PluginFolders.Toml(PluginFolders.FileDiscovery)}]\n[server.auth]\nuse = \"file-discovery\"\n", ":3: server.auth.use: plugin \"file-discovery\" does not serve auth" },
        { "unknown setting", $"plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]\n[server.auth]\nuse = \"probe\"\ntagg = \"x\"\n", ":4: server.auth.tagg: unknown key (a typo, or an option plugin \"probe\" does not have); did you mean \"tag\"?" },
        { "ill-typed setting", $"plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]\n[server.auth]\nuse = \"probe\"\nfail_on_start = \"yes\"\n", ":4: server.auth.fail_on_start: expected true or false, got \"yes\"" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task Check_PluginError_PrintsOneLineWithFileAndLineAndExitsTwo(string situation, string toml, string expected)
    {
        Directory.CreateDirectory(Path.Combine(_scratch.Folder, "empty"));
        var config = _scratch.Write("modular.toml", toml);

        var result = await ModularCli.RunAsync(_scratch.Folder, "check", "-c", config);

        Assert.True(result.ExitCode == 2, $"{situation}: {result}");
        var line = Assert.Single(result.StdErrLines);
        Assert.StartsWith(config + ":", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Empty(result.StdOut);
    }

    [Fact]
    public async Task Run_PluginThrowsWhileStarting_ExitsTwoWithOneLineAndNothingListening()
    {
        var client = FreePort.Next();
        var config = _scratch.Write("modular.toml", $"""
            plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]

            [server]
            listen = "127.0.0.1:{client}"

            [server.auth]
            use = "probe"
            fail_on_start = true
            """);

        var result = await ModularCli.RunAsync(_scratch.Folder, "run", "-c", config);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal($"{config}:6: server.auth: plugin \"probe\" failed to start: probe was told to fail while starting", Assert.Single(result.StdErrLines));
        Assert.DoesNotContain("Listening", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("probe: stopped [server.auth]", result.StdOut, StringComparison.Ordinal);
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", client));
    }

    [Fact]
    public async Task Run_BadPluginSetting_ExitsTwoBeforeListening()
    {
        var client = FreePort.Next();
        var config = _scratch.Write("modular.toml", $"""
            plugins = [{PluginFolders.Toml(PluginFolders.CustomAuth)}]

            [server]
            listen = "127.0.0.1:{client}"

            [server.auth]
            use = "users-file"
            users_file = 7
            """);

        var result = await ModularCli.RunAsync(_scratch.Folder, "run", "-c", config);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal($"{config}:8: server.auth.users_file: expected a string, got 7", Assert.Single(result.StdErrLines));
        Assert.DoesNotContain("Listening", result.StdOut, StringComparison.Ordinal);
    }

    private static string Escape(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
