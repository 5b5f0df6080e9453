using Modular.Core.Config;
using Modular.Core.Plugins;
using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Loading;

/// <summary>Every error of loading and composing plugins is one line naming the file, the line and what to do.</summary>
public sealed class PluginLoadingErrorTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private string ConfigFile => Path.Combine(_scratch.Folder, "modular.toml");

    [Fact]
    public void Load_PathToMissingFolder_NamesFolderAndLine()
    {
        var errors = Compose.Errors(_scratch, "plugins = [\n  \"./my-plugins/nowhere\",\n]\n");

        var error = Assert.Single(errors);
        Assert.Equal($"{ConfigFile}:2: plugins: \"./my-plugins/nowhere\": plugin folder not found: {Path.Combine(_scratch.Folder, "my-plugins", "nowhere")} (relative to the folder of {ConfigFile})", error);
    }

    [Fact]
    public void Load_UnknownBundledName_ListsBundledPlugins()
    {
        var errors = Compose.Errors(_scratch, "plugins = [\"tlz\"]\n");

        var error = Assert.Single(errors);
        Assert.StartsWith($"{ConfigFile}:1: plugins: \"tlz\": no bundled plugin of that name in ", error, StringComparison.Ordinal);
        Assert.Contains("(bundled: bcrypt, dns, gossip, pinning, s2, tls)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyFolder_SaysNoPlugin()
    {
        Directory.CreateDirectory(Path.Combine(_scratch.Folder, "empty"));
        _scratch.Write("empty/notes.txt", "not a plugin");

        var error = Assert.Single(Compose.Errors(_scratch, "plugins = [\"./empty\"]\n"));

        Assert.Equal($"{ConfigFile}:1: plugins: \"./empty\": no plugin in {Path.Combine(_scratch.Folder, "empty")}: expected its assembly and .deps.json there (the build output of a plugin project)", error);
    }

    [Fact]
    public void Load_AssemblyThatIsNoPlugin_SaysNoPlugin()
    {
        // A real .NET assembly, but one that knows nothing of Modular.Abstractions.
        var folder = Path.Combine(_scratch.Folder, "Tomlyn");
        Directory.CreateDirectory(folder);
        File.Copy(typeof(Tomlyn.TomlSerializer).Assembly.Location, Path.Combine(folder, "Tomlyn.dll"));

        var error = Assert.Single(Compose.Errors(_scratch, "plugins = [\"./Tomlyn\"]\n"));

        Assert.Equal($"{ConfigFile}:1: plugins: \"./Tomlyn\": no plugin in {folder}: Tomlyn.dll does not reference Modular.Abstractions", error);
    }

    [Fact]
    public void Load_PluginBuiltAgainstIncompatibleAbstractions_IsRefusedBeforeLoading()
    {
        var host = PluginCatalog.HostContractVersion;

        var error = Assert.Single(Compose.Errors(_scratch, $"plugins = [{PluginFolders.Toml(PluginFolders.FutureProbe)}]\n"));

        Assert.Equal(
            $"{ConfigFile}:1: plugins: \"{PluginFolders.FutureProbe}\": Modular.TestPlugins.FutureProbe.dll was built against Modular.Abstractions 99.0.0, which this host (Modular.Abstractions {host.ToString(3)}) cannot run; rebuild the plugin against Modular.Abstractions {host.ToString(2)}",
            error);
    }

    [Fact]
    public void Load_TwoPluginsDeclaringOneName_ReportsTheSecond()
    {
        var toml = $"plugins = [\n  {PluginFolders.Toml(PluginFolders.Probe)},\n  {PluginFolders.Toml(PluginFolders.ProbeTwin)},\n]\n";

        var error = Assert.Single(Compose.Errors(_scratch, toml));

        Assert.Equal($"{ConfigFile}:3: plugins: \"{PluginFolders.ProbeTwin}\": plugin name \"probe\" is already declared by \"{PluginFolders.Probe}\" (line 2); two plugins cannot share a name", error);
    }

    [Fact]
    public void Configure_UseNamesPluginNotLoaded_SaysWhatIsLoaded()
    {
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]

            [cluster]
            listen = "127.0.0.1:0"

            [cluster.auth]
            use = "bcrypt"
            """;

        var error = Assert.Single(Compose.Errors(_scratch, toml));

        Assert.Equal($"{ConfigFile}:7: cluster.auth.use: no loaded plugin is named \"bcrypt\" (loaded: probe); add its folder or bundled name to plugins = [...]", error);
    }

    [Fact]
    public void Configure_UseNamesPluginOfAnotherSeam_SaysWhatItServes()
    {
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.FileDiscovery)}]

            [cluster]
            listen = "127.0.0.1:0"

            [cluster.auth]
            use = "file-discovery"
            peers_file = "peers.txt"
            """;

        var error = Assert.Single(Compose.Errors(_scratch, toml));

        Assert.Equal($"{ConfigFile}:7: cluster.auth.use: plugin \"file-discovery\" does not serve auth, which [cluster.auth] needs (it serves: discovery)", error);
    }

    [Fact]
    public void Configure_UnknownSetting_NamesKeyLineAndClosestKnownKey()
    {
        _scratch.Write("users.txt", "alice secret\n");
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.CustomAuth)}]

            [server.auth]
            use = "users-file"
            users_file = "users.txt"
            pasword = "x"
            """;

        var error = Assert.Single(Compose.Errors(_scratch, toml));

        Assert.Equal($"{ConfigFile}:6: server.auth.pasword: unknown key (a typo, or an option plugin \"users-file\" does not have); did you mean \"password\"?", error);
    }

    [Fact]
    public void Configure_IllTypedSetting_SaysWhatWasExpected()
    {
        _scratch.Write("peers.txt", "");
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.FileDiscovery)}]

            [cluster]
            listen = "127.0.0.1:0"

            [cluster.discovery]
            use = "file-discovery"
            peers_file = 42
            poll_interval = "soon"
            """;

        var errors = Compose.Errors(_scratch, toml);

        Assert.Equal(
            [
                $"{ConfigFile}:8: cluster.discovery.peers_file: expected a string, got 42",
                $"{ConfigFile}:9: cluster.discovery.poll_interval: expected a duration like \"30s\", \"2m\" or \"1h30m\", got \"soon\"",
            ],
            errors);
    }

    [Fact]
    public void Configure_PluginTableNoSeamServes_ListsPluginTables()
    {
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]

            [cluster]
            listen = "127.0.0.1:0"

            [cluster.gateway]
            use = "probe"
            """;

        var error = Assert.Single(Compose.Errors(_scratch, toml));

        Assert.StartsWith($"{ConfigFile}:6: cluster.gateway: [cluster.gateway] does not select anything a plugin can serve (plugin tables: [server.auth], [cluster.tls]", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PluginThrows_ReportsTableAndStopsEveryInstance()
    {
        var sink = new CollectingSink();
        using var loggerFactory = CollectingSink.LoggerFactory(sink);
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]

            [server.auth]
            use = "probe"
            tag = "first"

            [cluster]
            listen = "127.0.0.1:0"

            [cluster.discovery]
            use = "probe"
            tag = "second"
            fail_on_start = true
            """;
        var (catalog, composition, _) = Compose.Configure(_scratch, toml, loggerFactory);
        using (catalog)
        {
            var ex = await Assert.ThrowsAsync<ConfigException>(() => composition.StartAsync());

            Assert.Equal($"{ConfigFile}:10: cluster.discovery: plugin \"probe\" failed to start: probe was told to fail while starting", Assert.Single(ex.Errors).ToString());
            Assert.Equal(
                ["probe: configured [server.auth] first", "probe: configured [cluster.discovery] second", "probe: started [server.auth] first", "probe: stopped [cluster.discovery] second", "probe: stopped [server.auth] first"],
                sink.Messages.Where(m => m.StartsWith("probe:", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Configure_PluginThrows_ReportsTableAndStopsWhatWasMade()
    {
        var sink = new CollectingSink();
        using var loggerFactory = CollectingSink.LoggerFactory(sink);
        var toml = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.Probe)}]

            [server.auth]
            use = "probe"
            tag = "first"

            [cluster]
            listen = "127.0.0.1:0"

            [cluster.pinning]
            use = "probe"
            fail_on_configure = true
            """;
        var options = ConfigLoader.Load(_scratch.Write("modular.toml", toml));
        using var catalog = PluginCatalog.Load(options, PluginFolders.Bundled);

        var ex = Assert.Throws<ConfigException>(() => PluginComposition.Configure(options, catalog, loggerFactory));

        Assert.Equal($"{ConfigFile}:10: cluster.pinning: plugin \"probe\" failed to configure: probe was told to fail while configuring", Assert.Single(ex.Errors).ToString());
        Assert.Contains("probe: stopped [server.auth] first", sink.Messages);
        Assert.Contains("probe: stopped [cluster.pinning] ", sink.Messages);
    }

    [Fact]
    public void Compose_PinnedAccountsWithoutPooling_IsAnErrorAsInNatsServer()
    {
        var errors = Compose.Errors(_scratch, "plugins = [\"pinning\"]\n\n[cluster]\nlisten = \"127.0.0.1:0\"\npool_size = -1\n\n[cluster.pinning]\nuse = \"pinning\"\naccounts = [\"A\"]\n");

        Assert.Equal($"{ConfigFile}:7: cluster.pinning: accounts cannot be pinned when cluster.pool_size is -1 (routes do not pool)", Assert.Single(errors));
    }
}
