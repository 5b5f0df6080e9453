using Modular.Core.Config;
using Tomlyn.Model;

namespace Modular.Core.Tests.Config;

public class ConfigLoaderTests
{
    /// <summary>The example of DESIGN.md §3, line for line.</summary>
    private const string DesignExample = """
        plugins = ["tls", "bcrypt", "s2", "gossip", "pinning", "./my-plugins/ip-allowlist"]
        # ^ a root key, so it stands before the first table. A bare name is a plugin bundled with the
        #   host (built into the host's plugins/ folder); a path is a plugin folder of the user's,
        #   relative to this file. The names that `use` refers to are the names plugins declare.

        [server]
        name   = "n1"                 # server_name (default: generated)
        listen = "0.0.0.0:4222"       # client listener
        max_payload = "1MB"
        lame_duck_duration = "30s"

        [monitor]
        listen = "127.0.0.1:8222"     # HTTP monitoring; omit to turn off

        [log]
        level = "info"                # Serilog minimum level
        # file = "logs/n1.log"        # else the console
        # format = "json"             # or "text"

        [accounts.ORDERS]             # accounts isolate subjects; clients log in as an account's user
        users = [ { user = "alice", password = "$2a$11$..." } ]

        [cluster]
        name   = "my-cluster"
        listen = "0.0.0.0:6222"
        routes = ["nats-route://route_user:secret@server1:6222", "nats-route://server2:6222"]
        pool_size = 3
        # advertise = "10.0.0.1:6222"
        # no_advertise = false
        # connect_retries = 0

        [cluster.tls]                 # this table exists => routes use TLS, served by plugin "tls"
        use = "tls"
        cert_file = "certs/server-cert.pem"
        key_file  = "certs/server-key.pem"
        ca_file   = "certs/ca.pem"
        verify    = true

        [cluster.auth]
        use = "bcrypt"
        user = "route_user"
        password = "$2a$11$..."       # a bcrypt hash; plain text is accepted with a warning

        [cluster.compression]
        use  = "s2"
        mode = "s2_auto"              # off | accept | s2_fast | s2_better | s2_best | s2_auto

        [cluster.discovery]
        use  = "gossip"
        mode = "default"              # default | disabled | override

        [cluster.pinning]
        use = "pinning"
        accounts = ["ORDERS"]
        """;

    [Fact]
    public void LoadFromString_DesignExample_BindsEveryTable()
    {
        var options = ConfigLoader.LoadFromString(DesignExample, "n1.toml");

        Assert.Equal("n1.toml", options.SourceFile);
        Assert.Equal(["tls", "bcrypt", "s2", "gossip", "pinning", "./my-plugins/ip-allowlist"], options.Plugins);
        Assert.Equal("n1", options.Server.Name);
        Assert.Equal("0.0.0.0", options.Server.Host);
        Assert.Equal(4222, options.Server.Port);
        Assert.Equal(1024 * 1024, options.Server.MaxPayload);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Server.LameDuckDuration);
        Assert.True(options.Monitor.Enabled);
        Assert.Equal("127.0.0.1", options.Monitor.Host);
        Assert.Equal(8222, options.Monitor.Port);
        Assert.Equal("info", options.Log.Level);
        Assert.Null(options.Log.File);
        Assert.Equal("text", options.Log.Format);
        var orders = Assert.Single(options.Accounts);
        Assert.Equal("ORDERS", orders.Key);
        var alice = Assert.Single(orders.Value.Users);
        Assert.Equal("alice", alice.User);
        Assert.Equal("$2a$11$...", alice.Password);
        var cluster = Assert.IsType<ClusterOptions>(options.Cluster);
        Assert.Equal("my-cluster", cluster.Name);
        Assert.Equal("0.0.0.0", cluster.Host);
        Assert.Equal(6222, cluster.Port);
        Assert.Equal(3, cluster.PoolSize);
        Assert.Equal(2, cluster.Routes.Count);
        Assert.Equal("route_user:secret", cluster.Routes[0].UserInfo);
        Assert.Equal("server1", cluster.Routes[0].Host);
        Assert.Equal(6222, cluster.Routes[0].Port);
        Assert.Equal("server2", cluster.Routes[1].Host);
        Assert.Empty(options.Warnings);
    }

    [Fact]
    public void LoadFromString_DesignExample_KeepsPluginTablesRaw()
    {
        var cluster = ConfigLoader.LoadFromString(DesignExample, "n1.toml").Cluster!;

        Assert.Equal(["tls", "auth", "compression", "discovery", "pinning"], cluster.PluginTables.Keys);
        var tls = cluster.PluginTables["tls"];
        Assert.Equal("cluster.tls", tls.TableName);
        Assert.Equal("tls", tls.Use);
        Assert.Equal(32, tls.Line);
        Assert.Equal("certs/server-cert.pem", tls.Settings["cert_file"]);
        Assert.Equal(true, tls.Settings["verify"]);
        Assert.False(tls.Settings.ContainsKey("use"));
        Assert.Equal(34, tls.SettingLines["cert_file"]);
        Assert.Equal(37, tls.SettingLines["verify"]);
        Assert.Equal("bcrypt", cluster.PluginTables["auth"].Use);
        Assert.Equal("s2_auto", cluster.PluginTables["compression"].Settings["mode"]);
        Assert.Equal("gossip", cluster.PluginTables["discovery"].Use);
        var pinned = Assert.IsType<TomlArray>(cluster.PluginTables["pinning"].Settings["accounts"]);
        Assert.Equal("ORDERS", Assert.Single(pinned));
    }

    [Fact]
    public void Defaults_NoFile_ClientOn4222AndMonitorOn8222()
    {
        var options = ConfigLoader.Defaults();

        Assert.Null(options.SourceFile);
        Assert.Equal("0.0.0.0", options.Server.Host);
        Assert.Equal(4222, options.Server.Port);
        Assert.True(options.Monitor.Enabled);
        Assert.Equal("127.0.0.1", options.Monitor.Host);
        Assert.Equal(8222, options.Monitor.Port);
        Assert.Null(options.Cluster);
        Assert.Empty(options.Plugins);
        Assert.Empty(options.Accounts);
    }

    [Fact]
    public void LoadFromString_EmptyFile_KeepsDefaultsWithMonitorOff()
    {
        var options = ConfigLoader.LoadFromString("# nothing here\n", "empty.toml");

        Assert.Equal(4222, options.Server.Port);
        Assert.Equal(1024 * 1024, options.Server.MaxPayload);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Server.PingInterval);
        Assert.False(options.Monitor.Enabled);
        Assert.Null(options.Cluster);
    }

    [Fact]
    public void LoadFromString_EveryServerKey_Binds()
    {
        var options = ConfigLoader.LoadFromString("""
            [server]
            name = "alpha"
            listen = "127.0.0.1:0"
            advertise = "nats.example.com:4222"
            max_payload = 2097152
            max_control_line = "8KB"
            max_pending = "128MB"
            max_connections = 100
            max_subscriptions = 1000
            ping_interval = "20s"
            ping_max = 3
            auth_timeout = 0.5
            write_deadline = "5s"
            lame_duck_duration = "1m"
            lame_duck_grace_period = "5s"
            auth_token = "s3cr3t"
            """, "all.toml");

        var server = options.Server;
        Assert.Equal("alpha", server.Name);
        Assert.Equal("127.0.0.1", server.Host);
        Assert.Equal(0, server.Port);
        Assert.Equal("nats.example.com:4222", server.Advertise);
        Assert.Equal(2 * 1024 * 1024, server.MaxPayload);
        Assert.Equal(8 * 1024, server.MaxControlLine);
        Assert.Equal(128L * 1024 * 1024, server.MaxPending);
        Assert.Equal(100, server.MaxConnections);
        Assert.Equal(1000, server.MaxSubscriptions);
        Assert.Equal(TimeSpan.FromSeconds(20), server.PingInterval);
        Assert.Equal(3, server.PingMax);
        Assert.Equal(TimeSpan.FromMilliseconds(500), server.AuthTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), server.WriteDeadline);
        Assert.Equal(TimeSpan.FromMinutes(1), server.LameDuckDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), server.LameDuckGracePeriod);
        Assert.Equal("s3cr3t", server.AuthToken);
    }

    [Fact]
    public void LoadFromString_EveryClusterKey_Binds()
    {
        var options = ConfigLoader.LoadFromString("""
            [server]
            ping_interval = "45s"

            [cluster]
            name = "c1"
            listen = "[::]:7244"
            routes = []
            pool_size = -1
            advertise = "10.0.0.1:7244"
            no_advertise = true
            connect_retries = 5
            connect_backoff = true
            ping_interval = "10s"
            """, "cluster.toml");

        var cluster = options.Cluster!;
        Assert.Equal("c1", cluster.Name);
        Assert.Equal("::", cluster.Host);
        Assert.Equal(7244, cluster.Port);
        Assert.Empty(cluster.Routes);
        Assert.Equal(-1, cluster.PoolSize);
        Assert.Equal("10.0.0.1:7244", cluster.Advertise);
        Assert.True(cluster.NoAdvertise);
        Assert.Equal(5, cluster.ConnectRetries);
        Assert.True(cluster.ConnectBackoff);
        Assert.Equal(TimeSpan.FromSeconds(10), cluster.PingInterval);
        Assert.Empty(cluster.PluginTables);
    }

    [Fact]
    public void LoadFromString_PoolSizeZero_MeansDefault()
    {
        var options = ConfigLoader.LoadFromString("[cluster]\npool_size = 0\n", "c.toml");

        Assert.Equal(ConfigLoader.DefaultPoolSize, options.Cluster!.PoolSize);
    }

    [Fact]
    public void LoadFromString_ClusterPingIntervalUnset_UsesServerPingInterval()
    {
        var options = ConfigLoader.LoadFromString("[server]\nping_interval = \"15s\"\n[cluster]\nname = \"c\"\n", "c.toml");

        Assert.Equal(TimeSpan.FromSeconds(15), options.Cluster!.PingInterval);
    }

    [Fact]
    public void LoadFromString_ClusterPingIntervalAbove30s_Warns()
    {
        var options = ConfigLoader.LoadFromString("[cluster]\nping_interval = \"1m\"\n", "c.toml");

        var warning = Assert.Single(options.Warnings);
        Assert.Equal(2, warning.Line);
        Assert.Equal("cluster.ping_interval", warning.Key);
    }

    [Fact]
    public void LoadFromString_MaxPayloadAbove8MB_Warns()
    {
        var options = ConfigLoader.LoadFromString("[server]\nmax_payload = \"16MB\"\n", "w.toml");

        Assert.Equal(16 * 1024 * 1024, options.Server.MaxPayload);
        var warning = Assert.Single(options.Warnings);
        Assert.StartsWith("w.toml:2: server.max_payload: ", warning.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromString_MonitorTableWithoutListen_TurnsMonitoringOnAt8222()
    {
        var options = ConfigLoader.LoadFromString("[monitor]\n", "m.toml");

        Assert.True(options.Monitor.Enabled);
        Assert.Equal("127.0.0.1", options.Monitor.Host);
        Assert.Equal(8222, options.Monitor.Port);
    }

    [Theory]
    [InlineData("verbose", "verbose")]
    [InlineData("debug", "debug")]
    [InlineData("Information", "info")]
    [InlineData("warn", "warning")]
    [InlineData("WARNING", "warning")]
    [InlineData("error", "error")]
    [InlineData("fatal", "fatal")]
    public void LoadFromString_LogLevel_IsNormalized(string written, string expected)
    {
        var options = ConfigLoader.LoadFromString($"[log]\nlevel = \"{written}\"\nformat = \"json\"\nfile = \"logs/n1.log\"\n", "l.toml");

        Assert.Equal(expected, options.Log.Level);
        Assert.Equal("json", options.Log.Format);
        Assert.Equal("logs/n1.log", options.Log.File);
    }

    [Fact]
    public void LoadFromString_UsersAsArrayOfTables_Binds()
    {
        var options = ConfigLoader.LoadFromString("""
            [[accounts.A.users]]
            user = "a1"
            password = "p1"

            [[accounts.A.users]]
            user = "a2"
            password = "p2"

            [accounts.B]
            users = []
            """, "acc.toml");

        Assert.Equal(["a1", "a2"], options.Accounts["A"].Users.Select(u => u.User));
        Assert.Empty(options.Accounts["B"].Users);
    }

    [Fact]
    public void LoadFromString_BadMaxPayload_ErrorIsOneLineWithFileLineAndKey()
    {
        var toml = string.Concat(Enumerable.Repeat("# filler\n", 10)) + "[server]\nmax_payload = \"lots\"\n";

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString(toml, "n1.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(new ConfigError("n1.toml", 12, "server.max_payload", "expected a size like 1048576 or \"1MB\", got \"lots\""), error);
        Assert.Equal("n1.toml:12: server.max_payload: expected a size like 1048576 or \"1MB\", got \"lots\"", error.ToString());
    }

    [Fact]
    public void LoadFromString_UnknownKey_ErrorSaysTypoOrMissingOption()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString("[server]\nname = \"n\"\ncolour = \"blue\"\n", "u.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("u.toml:3: server.colour: unknown key (a typo, or an option this version does not have)", error.ToString());
    }

    [Fact]
    public void LoadFromString_MisspelledKey_SuggestsTheKnownKey()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString("[server]\nmax_paylod = 1024\n", "t.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("server.max_paylod", error.Key);
        Assert.EndsWith("did you mean \"max_payload\"?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromString_UnknownTable_IsAnError()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString("[jetstream]\nstore_dir = \"x\"\n", "j.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(1, error.Line);
        Assert.Equal("jetstream", error.Key);
    }

    [Fact]
    public void LoadFromString_PluginsAfterFirstTable_ErrorExplainsRootKey()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString("[server]\nname = \"n\"\nplugins = [\"tls\"]\n", "p.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(3, error.Line);
        Assert.Equal("server.plugins", error.Key);
        Assert.Contains("before the first [table]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromString_PluginsAfterPluginTable_IsAnError()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString("[cluster.tls]\nuse = \"tls\"\nplugins = [\"tls\"]\n", "p.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("cluster.tls.plugins", error.Key);
    }

    [Theory]
    [InlineData("[server]\nname = 42", 2, "server.name", "expected a string, got 42")]
    [InlineData("[server]\nname = \"two words\"", 2, "server.name", "must not contain spaces")]
    [InlineData("[server]\nmax_connections = \"many\"", 2, "server.max_connections", "expected an integer, got \"many\"")]
    [InlineData("[server]\nmax_connections = 0", 2, "server.max_connections", "must be at least 1, got 0")]
    [InlineData("[server]\nlisten = \"0.0.0.0:65536\"", 2, "server.listen", "expected host:port")]
    [InlineData("[server]\nlisten = \"4222\"", 2, "server.listen", "expected host:port like \"0.0.0.0:4222\", got \"4222\"")]
    [InlineData("[server]\nlisten = 4222", 2, "server.listen", "expected a string, got 4222")]
    [InlineData("[server]\nmax_pending = -1", 2, "server.max_pending", "must not be negative, got -1")]
    [InlineData("[server]\nmax_pending = \"-1MB\"", 2, "server.max_pending", "must not be negative")]
    [InlineData("[server]\nmax_payload = \"65MB\"", 2, "server.max_payload", "must be at most 64MB, got \"65MB\"")]
    [InlineData("[server]\nmax_payload = 0", 2, "server.max_payload", "must be at least 1, got 0")]
    [InlineData("[server]\nmax_payload = 1.5", 2, "server.max_payload", "expected a size like")]
    [InlineData("[server]\nping_interval = \"soon\"", 2, "server.ping_interval", "expected a duration like \"30s\", \"2m\" or \"1h30m\", got \"soon\"")]
    [InlineData("[server]\nping_interval = \"0s\"", 2, "server.ping_interval", "must be longer than zero")]
    [InlineData("[server]\nauth_timeout = -2", 2, "server.auth_timeout", "must not be negative")]
    [InlineData("[server]\nwrite_deadline = \"-5s\"", 2, "server.write_deadline", "must not be negative")]
    [InlineData("[server]\nlame_duck_duration = \"10s\"\nlame_duck_grace_period = \"10s\"", 3, "server.lame_duck_grace_period", "must be shorter than lame_duck_duration")]
    [InlineData("[server]\nlame_duck_duration = \"5s\"", 2, "server.lame_duck_duration", "must be shorter than lame_duck_duration (5s)")]
    [InlineData("[server]\nauth_token = \"\"", 2, "server.auth_token", "must not be empty")]
    [InlineData("[monitor]\nlisten = \"localhost\"", 2, "monitor.listen", "missing port")]
    [InlineData("[log]\nlevel = \"loud\"", 2, "log.level", "expected one of verbose, debug, info, information, warning, warn, error, fatal, got \"loud\"")]
    [InlineData("[log]\nformat = \"xml\"", 2, "log.format", "expected one of text, json, got \"xml\"")]
    [InlineData("[log]\nfile = \"\"", 2, "log.file", "must not be empty")]
    [InlineData("plugins = \"tls\"", 1, "plugins", "expected a list of plugin names")]
    [InlineData("plugins = [\"tls\", 3]", 1, "plugins[1]", "expected a string, got 3")]
    [InlineData("plugins = [\"tls\",\n  \"tls\"]", 2, "plugins[1]", "\"tls\" is already listed (line 1)")]
    [InlineData("server = 1", 1, "server", "expected a table ([server]), got 1")]
    [InlineData("[cluster]\nroutes = [\"nats://server1:6222\"]", 2, "cluster.routes[0]", "the scheme must be nats-route://")]
    [InlineData("[cluster]\nroutes = [\"nats-route://server1\"]", 2, "cluster.routes[0]", "needs a port")]
    [InlineData("[cluster]\nroutes = [\"server1:6222\"]", 2, "cluster.routes[0]", "expected a route URL like")]
    [InlineData("[cluster]\nroutes = [\"nats-route://:pw@server1:6222\"]", 2, "cluster.routes[0]", "the user before : must not be empty")]
    [InlineData("[cluster]\nroutes = \"nats-route://server1:6222\"", 2, "cluster.routes", "expected a list of route URLs")]
    [InlineData("[cluster]\npool_size = -2", 2, "cluster.pool_size", "must be at least -1, got -2")]
    [InlineData("[cluster]\nno_advertise = \"yes\"", 2, "cluster.no_advertise", "expected true or false, got \"yes\"")]
    [InlineData("[cluster]\nconnect_retries = -1", 2, "cluster.connect_retries", "must not be negative")]
    [InlineData("[cluster]\nconnect_backoff = 1", 2, "cluster.connect_backoff", "expected true or false, got 1")]
    [InlineData("[cluster]\nadvertise = \"bad host\"", 2, "cluster.advertise", "expected host:port like \"10.0.0.1:6222\"")]
    [InlineData("[server]\nadvertise = \"bad host\"", 2, "server.advertise", "expected host:port like \"nats.example.com:4222\"")]
    [InlineData("[cluster]\nname = \"my cluster\"", 2, "cluster.name", "must not contain spaces")]
    [InlineData("[cluster]\nbogus = 1", 2, "cluster.bogus", "unknown key")]
    [InlineData("[cluster.tls]\ncert_file = \"c.pem\"", 1, "cluster.tls", "missing use = \"<plugin name>\"")]
    [InlineData("[cluster.tls]\nuse = 1", 2, "cluster.tls.use", "expected a string, got 1")]
    [InlineData("[cluster]\ntls = { cert_file = \"c.pem\" }", 2, "cluster.tls", "missing use")]
    [InlineData("[accounts]\nA = 1", 2, "accounts.A", "expected an account table like [accounts.A], got 1")]
    [InlineData("[accounts.A]\nusers = [ { user = \"\", password = \"p\" } ]", 2, "accounts.A.users[0].user", "must not be empty")]
    [InlineData("[accounts.A]\nusers = [ { password = \"p\" } ]", 2, "accounts.A.users[0]", "missing user")]
    [InlineData("[accounts.A]\nusers = [ { user = \"u\" } ]", 2, "accounts.A.users[0]", "missing password for user \"u\"")]
    [InlineData("[accounts.A]\nusers = [ { user = \"u\", password = \"p\", pass = \"p\" } ]", 2, "accounts.A.users[0].pass", "unknown key")]
    [InlineData("[accounts.A]\nusers = [ \"u\" ]", 2, "accounts.A.users[0]", "expected { user = ")]
    [InlineData("[accounts.A]\nmembers = []", 2, "accounts.A.members", "unknown key")]
    public void LoadFromString_BadValue_ErrorNamesFileLineAndKey(string toml, int line, string key, string messagePart)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString(toml, "bad.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("bad.toml", error.File);
        Assert.Equal(line, error.Line);
        Assert.Equal(key, error.Key);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromString_UserInTwoAccounts_ErrorNamesBothPlaces()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString("""
            [accounts.A]
            users = [ { user = "alice", password = "a" } ]

            [accounts.B]
            users = [ { user = "bob", password = "b" },
                      { user = "alice", password = "c" } ]
            """, "acc.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(6, error.Line);
        Assert.Equal("accounts.B.users[1].user", error.Key);
        Assert.Contains("already a user of account \"A\" (line 2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromString_ListenPortsCollide_IsAnError()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString("""
            [server]
            listen = "0.0.0.0:4222"
            [monitor]
            listen = "127.0.0.1:4222"
            """, "ports.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("ports.toml:4: monitor.listen: port 4222 is also used by server.listen", error.ToString());
    }

    [Fact]
    public void LoadFromString_PortZeroTwice_IsAllowed()
    {
        var options = ConfigLoader.LoadFromString("[server]\nlisten = \"127.0.0.1:0\"\n[monitor]\nlisten = \"127.0.0.1:0\"\n[cluster]\nlisten = \"127.0.0.1:0\"\n", "zero.toml");

        Assert.Equal(0, options.Server.Port);
        Assert.Equal(0, options.Monitor.Port);
        Assert.Equal(0, options.Cluster!.Port);
    }

    [Fact]
    public void LoadFromString_SeveralErrors_ReportsAllInFileOrder()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString("""
            plugins = ["tls"]

            [server]
            max_payload = "lots"
            ping_interval = "often"
            nmae = "n1"

            [log]
            level = "chatty"

            [cluster]
            pool_size = "three"
            routes = ["http://x:1"]

            [cluster.tls]
            cert_file = "c.pem"
            """, "many.toml"));

        Assert.Equal(
            [
                (4, "server.max_payload"),
                (5, "server.ping_interval"),
                (6, "server.nmae"),
                (9, "log.level"),
                (12, "cluster.pool_size"),
                (13, "cluster.routes[0]"),
                (15, "cluster.tls"),
            ],
            ex.Errors.Select(e => (e.Line, e.Key)));
        Assert.All(ex.Errors, e => Assert.Equal("many.toml", e.File));
        Assert.Equal(7 + 1, ex.Message.Split('\n').Length);
    }

    [Fact]
    public void LoadFromString_SyntaxError_ReportsFileAndLine()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString("[server]\nname = \"n1\"\nlisten = \n", "syntax.toml"));

        var error = ex.Errors[0];
        Assert.Equal("syntax.toml", error.File);
        Assert.Equal(3, error.Line);
        Assert.Equal("", error.Key);
        Assert.StartsWith("syntax.toml:3: TOML syntax: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromString_DuplicateKey_ReportsSecondLine()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString("[server]\nname = \"a\"\nname = \"b\"\n", "dup.toml"));

        Assert.Equal(3, Assert.Single(ex.Errors).Line);
    }

    [Fact]
    public void LoadFromString_DurationAsNumberOfSeconds_Binds()
    {
        var options = ConfigLoader.LoadFromString("[server]\nping_interval = 30\nwrite_deadline = 2.5\n", "d.toml");

        Assert.Equal(TimeSpan.FromSeconds(30), options.Server.PingInterval);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.Server.WriteDeadline);
    }

    [Theory]
    [InlineData("1048576", 1048576)]
    [InlineData("\"1MB\"", 1048576)]
    [InlineData("\"64KB\"", 65536)]
    [InlineData("\"1MiB\"", 1048576)]
    [InlineData("\"512B\"", 512)]
    [InlineData("\"64MB\"", 64 * 1024 * 1024)]
    public void LoadFromString_MaxPayloadSize_Binds(string written, int expected)
    {
        var options = ConfigLoader.LoadFromString($"[server]\nmax_payload = {written}\n", "s.toml");

        Assert.Equal(expected, options.Server.MaxPayload);
    }

    [Fact]
    public void LoadFromString_NestedPluginSettings_KeptAsTomlModel()
    {
        var options = ConfigLoader.LoadFromString("""
            [cluster.discovery]
            use = "gossip"
            seeds = ["a", "b"]

            [cluster.discovery.timers]
            interval = "5s"
            """, "nested.toml");

        var table = options.Cluster!.PluginTables["discovery"];
        Assert.Equal(2, Assert.IsType<TomlArray>(table.Settings["seeds"]).Count);
        var timers = Assert.IsType<TomlTable>(table.Settings["timers"]);
        Assert.Equal("5s", timers["interval"]);
        Assert.Equal(5, table.SettingLines["timers"]);
    }

    [Fact]
    public void Load_File_SetsSourceFileToFullPath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"modular-config-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, "[server]\nname = \"from-file\"\n");
        try
        {
            var options = ConfigLoader.Load(path);

            Assert.Equal(Path.GetFullPath(path), options.SourceFile);
            Assert.Equal("from-file", options.Server.Name);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_ErrorNamesFile()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load("does-not-exist.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("does-not-exist.toml: cannot read the configuration: no such file", error.ToString());
    }

    [Fact]
    public void ConfigError_WithoutLineOrKey_FormatsShortForm()
    {
        Assert.Equal("a.toml: broken", new ConfigError("a.toml", 0, "", "broken").ToString());
        Assert.Equal("a.toml:3: broken", new ConfigError("a.toml", 3, "", "broken").ToString());
        Assert.Equal("a.toml:3: log.level: broken", new ConfigError("a.toml", 3, "log.level", "broken").ToString());
    }

    [Fact]
    public void ConfigException_SeveralErrors_MessageListsEach()
    {
        var ex = new ConfigException([new ConfigError("a.toml", 1, "x", "one"), new ConfigError("a.toml", 2, "y", "two")]);

        Assert.Contains("a.toml:1: x: one", ex.Message, StringComparison.Ordinal);
        Assert.Contains("a.toml:2: y: two", ex.Message, StringComparison.Ordinal);
    }
}
