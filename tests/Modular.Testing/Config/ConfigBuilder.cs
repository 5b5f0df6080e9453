using System.Text;
using Modular.Testing.Secure;

namespace Modular.Testing;

/// <summary>
/// The one config builder of the tests: what a node runs (server settings, accounts, cluster,
/// routes, plugins, route TLS and authorization), rendered as modular's TOML (DESIGN.md §3) or as a
/// nats-server config for a reference peer. Immutable: each fluent call (or <c>with</c>) returns a
/// new builder, so a test derives a reload or a variant from a base without copying it. Listeners
/// bind port 0 (nats-server: -1) unless <see cref="Ports"/> names them or a restart pins the ports
/// the first run reported.
/// </summary>
public sealed record ConfigBuilder
{
    public string Name { get; init; } = "node";

    /// <summary>Ports chosen before the start; null listens on port 0 and reads the ports back.</summary>
    public NodePorts? Ports { get; init; }

    /// <summary>
    /// The address every listener (client, monitoring, cluster) binds: loopback, or an address of a
    /// network namespace the test made (see <see cref="NetworkNamespaces"/>).
    /// </summary>
    public string ListenHost { get; init; } = "127.0.0.1";

    /// <summary>
    /// Not written: a command the node's process is started under, e.g. <c>ip netns exec NAME</c>
    /// (it must exec the program, so the process id stays the server's). Empty: started directly.
    /// A process node only.
    /// </summary>
    public IReadOnlyList<string> LaunchPrefix { get; init; } = [];

    /// <summary>Whether the node has an HTTP monitoring listener.</summary>
    public bool Monitor { get; init; } = true;

    public string LogLevel { get; init; } = "info";

    public int? MaxPayload { get; init; }

    /// <summary>A size, e.g. "256KB".</summary>
    public string? MaxPending { get; init; }

    /// <summary>Durations, e.g. "2s".</summary>
    public string? WriteDeadline { get; init; }

    public string? PingInterval { get; init; }

    public int? PingMax { get; init; }

    public string? AuthTimeout { get; init; }

    /// <summary>Account name → users. Any account makes client auth required.</summary>
    public IReadOnlyDictionary<string, (string User, string Password)[]> Accounts { get; init; } =
        new Dictionary<string, (string User, string Password)[]>();

    /// <summary>
    /// nats-server only: <c>no_sys_acc: true</c>, so a reference server sends no <c>$SYS</c> interest on
    /// routes (as nats-server's own raw route tests run it). Modular has no such key; it is not written there.
    /// </summary>
    public bool NoSystemAccount { get; init; }

    /// <summary>modular only: the root <c>plugins = [...]</c> list ("tls" and "bcrypt" are added for <see cref="Tls"/> and <see cref="RouteAuth"/>).</summary>
    public IReadOnlyList<string> Plugins { get; init; } = [];

    /// <summary>The cluster's name; null: no cluster section at all (a standalone server).</summary>
    public string? ClusterName { get; init; } = "c1";

    /// <summary>Route URLs this node dials (see <see cref="RouteUrl"/>).</summary>
    public IReadOnlyList<string> Routes { get; init; } = [];

    /// <summary>
    /// <c>pool_size</c>; null leaves it out (the server's default: 3 for modular and nats-server 2.10,
    /// no pooling for 2.9). -1 turns pooling off.
    /// </summary>
    public int? PoolSize { get; init; }

    /// <summary>The host the cluster advertises, with the node's cluster port (needs a known port).</summary>
    public string? AdvertiseHost { get; init; }

    /// <summary>Route TLS files; null: plain routes.</summary>
    public TlsFiles? Tls { get; init; }

    public bool TlsVerify { get; init; } = true;

    /// <summary>TLS handshake timeout; longer than nats-server's 2 s default, for test machines under load.</summary>
    public int TlsTimeoutSeconds { get; init; } = 4;

    /// <summary>Route user and the password as stored (a bcrypt hash or plain text); null: no route authorization.</summary>
    public (string User, string Password)? RouteAuth { get; init; }

    /// <summary>
    /// Extra server settings, one per line: TOML inside <c>[server]</c> for modular (e.g.
    /// <c>lame_duck_duration = "4s"</c>), top-level nats-server syntax for a reference peer.
    /// </summary>
    public string? ExtraServerConfig { get; init; }

    /// <summary>modular only: extra lines inside <c>[log]</c> (e.g. a log file).</summary>
    public string? ExtraLogConfig { get; init; }

    /// <summary>Extra lines inside the cluster section: TOML for modular, nats-server syntax for a reference peer.</summary>
    public string? ExtraClusterConfig { get; init; }

    /// <summary>Text appended at the end: for modular, plugin tables such as <c>[cluster.discovery]</c>; for nats-server, top-level settings.</summary>
    public string? ExtraConfig { get; init; }

    /// <summary>This cluster's gateway name; null: no gateway section (the cluster is not in a super-cluster).</summary>
    public string? GatewayName { get; init; }

    /// <summary>The gateway listener's port, chosen before the start (<see cref="FreePort"/>): other clusters' configs name it.</summary>
    public int GatewayPort { get; init; }

    /// <summary>The clusters this node dials: name and the gateway ports of (some of) its servers on 127.0.0.1.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<int> Ports)> Gateways { get; init; } = [];

    /// <summary>Gateway TLS files (<c>[gateway.tls]</c>, nats-server's <c>gateway { tls {} }</c>); null: plain gateways.</summary>
    public TlsFiles? GatewayTls { get; init; }

    /// <summary>
    /// Gateway user and the password as stored (a bcrypt hash or plain text): <c>[gateway.auth]</c> with
    /// bcrypt, nats-server's <c>gateway { authorization {} }</c>; null: gateways are not authenticated.
    /// </summary>
    public (string User, string Password)? GatewayAuth { get; init; }

    /// <summary>The user and password put in the URLs of <see cref="Gateways"/> (nats://user:password@host:port); null: none.</summary>
    public (string User, string Password)? GatewayUrlCredentials { get; init; }

    /// <summary><c>reject_unknown</c>: refuse gateways of clusters not in <see cref="Gateways"/>.</summary>
    public bool GatewayRejectUnknown { get; init; }

    /// <summary>The leaf node listener's port, chosen before the start (<see cref="FreePort"/>); null: no leaf listener.</summary>
    public int? LeafPort { get; init; }

    /// <summary>Leaf logins (<c>[leafnodes.authorization] users</c>) and the accounts they bind to.</summary>
    public IReadOnlyList<(string User, string Password, string? Account)> LeafUsers { get; init; } = [];

    /// <summary>
    /// Leaf logins by public user nkey: Modular's <c>[leafnodes.authorization] users = [{ nkey, account }]</c>;
    /// nats-server's leafnodes authorization has no nkey users, so there they are users of the account.
    /// </summary>
    public IReadOnlyList<(string Nkey, string Account)> LeafNkeyUsers { get; init; } = [];

    /// <summary>Every remote's <c>credentials</c> (a .creds file path); null: none.</summary>
    public string? LeafCredentials { get; init; }

    /// <summary>Every remote's <c>nkey</c> (a user seed); null: none.</summary>
    public string? LeafNkeySeed { get; init; }

    /// <summary>The hubs this node dials as a leaf: their leaf URLs and the local account bound.</summary>
    public IReadOnlyList<(IReadOnlyList<string> Urls, string? Account)> LeafRemotes { get; init; } = [];

    /// <summary>
    /// Leaf TLS files for both ends (<c>[leafnodes.tls]</c>; nats-server's <c>leafnodes { tls {} }</c> and each
    /// remote's <c>tls {}</c>), with <see cref="LeafTlsVerify"/>; null: plain leaf connections.
    /// </summary>
    public TlsFiles? LeafTls { get; init; }

    /// <summary>deny_imports of every remote in <see cref="LeafRemotes"/>: subjects not taken from the hub.</summary>
    public IReadOnlyList<string> LeafDenyImports { get; init; } = [];

    /// <summary>deny_exports of every remote in <see cref="LeafRemotes"/>: subjects not sent to the hub.</summary>
    public IReadOnlyList<string> LeafDenyExports { get; init; } = [];

    /// <summary>With <see cref="LeafTls"/>: the accepting side asks for and checks the leaf's certificate.</summary>
    public bool LeafTlsVerify { get; init; } = true;

    /// <summary>Not written: how long the harness waits for the node to serve (null: 30 s).</summary>
    public TimeSpan? StartTimeout { get; init; }

    /// <summary>Route connections expected per remote server for this pool setting with a peer of the same setting.</summary>
    public int ConnectionsPerPeer => PoolSize switch
    {
        null or 0 => 4,
        < 0 => 1,
        { } size => size + 1,
    };

    /// <summary><c>nats-route://[user:password@]host:port</c>.</summary>
    public static string RouteUrl(int port, string host = "127.0.0.1", string? user = null, string? password = null) =>
        user is null ? $"nats-route://{host}:{port}" : $"nats-route://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password ?? "")}@{host}:{port}";

    public ConfigBuilder Named(string name) => this with { Name = name };

    /// <summary>No cluster section and no monitoring: one server on its own.</summary>
    public ConfigBuilder Standalone() => this with { ClusterName = null, Monitor = false };

    public ConfigBuilder Cluster(string name) => this with { ClusterName = name };

    public ConfigBuilder Route(string url) => this with { Routes = [.. Routes, url] };

    public ConfigBuilder Route(int clusterPort) => Route(RouteUrl(clusterPort));

    public ConfigBuilder Pool(int size) => this with { PoolSize = size };

    /// <summary>Joins a super-cluster as gateway <paramref name="name"/>, listening for gateways on <paramref name="port"/>.</summary>
    public ConfigBuilder Gateway(string name, int port) => this with { GatewayName = name, GatewayPort = port };

    /// <summary>Dials cluster <paramref name="name"/> at the gateway ports of its servers.</summary>
    public ConfigBuilder GatewayTo(string name, params int[] ports) => this with { Gateways = [.. Gateways, (name, ports)] };

    /// <summary>Accepts leaf nodes on 127.0.0.1:<paramref name="port"/>.</summary>
    public ConfigBuilder LeafListen(int port) => this with { LeafPort = port };

    public ConfigBuilder LeafUser(string user, string password, string? account = null) => this with { LeafUsers = [.. LeafUsers, (user, password, account)] };

    /// <summary>Dials a hub as a leaf node, bound to <paramref name="account"/> (null: the global account).</summary>
    public ConfigBuilder LeafNkeyUser(string nkey, string account) => this with { LeafNkeyUsers = [.. LeafNkeyUsers, (nkey, account)] };

    public ConfigBuilder LeafRemote(string? account, params string[] urls) => this with { LeafRemotes = [.. LeafRemotes, (urls, account)] };

    /// <summary><c>nats-leaf://[user:password@]127.0.0.1:port</c>.</summary>
    public static string LeafUrl(int port, string? user = null, string? password = null) =>
        user is null ? $"nats-leaf://127.0.0.1:{port}" : $"nats-leaf://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password ?? "")}@127.0.0.1:{port}";

    public ConfigBuilder Plugin(string name) => this with { Plugins = [.. Plugins, name] };

    public ConfigBuilder Account(string name, params (string User, string Password)[] users) =>
        this with { Accounts = new Dictionary<string, (string User, string Password)[]>(Accounts) { [name] = users } };

    public ConfigBuilder WithTls(TlsFiles files, bool verify = true) => this with { Tls = files, TlsVerify = verify };

    public ConfigBuilder WithRouteAuth(string user, string password) => this with { RouteAuth = (user, password) };

    public ConfigBuilder Append(string text) => this with { ExtraConfig = ExtraConfig + text };

    /// <summary>The config of <paramref name="flavor"/>, listening on the pinned ports of a restart (null: as <see cref="Ports"/> says).</summary>
    public string Render(NodeFlavor flavor, BoundPorts? pinned = null) =>
        flavor == NodeFlavor.Modular ? ToModularToml(pinned) : ToNatsServerConf(pinned);

    public string ToModularToml(BoundPorts? pinned = null)
    {
        var (client, monitor, cluster) = ListenPorts(pinned, random: 0);
        var toml = new StringBuilder();
        var plugins = PluginsToWrite();
        if (plugins.Count > 0)
        {
            toml.Append("plugins = [").Append(string.Join(", ", plugins.Select(Quote))).Append("]\n\n");
        }

        toml.Append("[server]\n")
            .Append("name = ").Append(Quote(Name)).Append('\n')
            .Append("listen = ").Append(Quote($"{ListenHost}:{client}")).Append('\n');
        if (MaxPayload is { } maxPayload)
        {
            toml.Append("max_payload = ").Append(maxPayload).Append('\n');
        }

        AppendSetting(toml, "max_pending = ", MaxPending);
        AppendSetting(toml, "write_deadline = ", WriteDeadline);
        AppendSetting(toml, "ping_interval = ", PingInterval);
        if (PingMax is { } pingMax)
        {
            toml.Append("ping_max = ").Append(pingMax).Append('\n');
        }

        AppendSetting(toml, "auth_timeout = ", AuthTimeout);
        AppendBlock(toml, ExtraServerConfig, "");
        if (Monitor)
        {
            toml.Append("\n[monitor]\nlisten = ").Append(Quote($"{ListenHost}:{monitor}")).Append('\n');
        }

        toml.Append("\n[log]\nlevel = ").Append(Quote(LogLevel)).Append('\n');
        AppendBlock(toml, ExtraLogConfig, "");
        foreach (var (account, users) in Accounts)
        {
            toml.Append("\n[accounts.").Append(account).Append("]\nusers = [");
            for (var i = 0; i < users.Length; i++)
            {
                toml.Append(i == 0 ? " " : ", ")
                    .Append("{ user = ").Append(Quote(users[i].User))
                    .Append(", password = ").Append(Quote(users[i].Password)).Append(" }");
            }

            toml.Append(" ]\n");
        }

        if (ClusterName is not null)
        {
            toml.Append("\n[cluster]\n")
                .Append("name = ").Append(Quote(ClusterName)).Append('\n')
                .Append("listen = ").Append(Quote($"{ListenHost}:{cluster}")).Append('\n')
                .Append("routes = [").Append(string.Join(", ", Routes.Select(Quote))).Append("]\n");
            if (AdvertiseHost is not null)
            {
                toml.Append("advertise = ").Append(Quote(Advertised(cluster))).Append('\n');
            }

            if (PoolSize is { } poolSize)
            {
                toml.Append("pool_size = ").Append(poolSize).Append('\n');
            }

            AppendBlock(toml, ExtraClusterConfig, "");
            if (Tls is { } tls)
            {
                toml.Append("\n[cluster.tls]\nuse = \"tls\"\ncert_file = ").Append(Quote(tls.Cert)).Append("\nkey_file = ").Append(Quote(tls.Key))
                    .Append("\nca_file = ").Append(Quote(tls.Ca)).Append("\nverify = ").Append(TlsVerify ? "true" : "false")
                    .Append("\ntimeout = \"").Append(TlsTimeoutSeconds).Append("s\"\n");
            }

            if (RouteAuth is { } auth)
            {
                toml.Append("\n[cluster.auth]\nuse = \"bcrypt\"\nuser = ").Append(Quote(auth.User)).Append("\npassword = ").Append(Quote(auth.Password)).Append('\n');
            }
        }

        if (GatewayName is not null)
        {
            toml.Append("\n[gateway]\nname = ").Append(Quote(GatewayName)).Append('\n')
                .Append("listen = ").Append(Quote($"127.0.0.1:{GatewayPort}")).Append('\n');
            if (GatewayRejectUnknown)
            {
                toml.Append("reject_unknown = true\n");
            }

            toml.Append("gateways = [")
                .Append(string.Join(", ", Gateways.Select(g => $"{{ name = {Quote(g.Name)}, urls = [{string.Join(", ", g.Ports.Select(p => Quote(GatewayUrl(p))))}] }}")))
                .Append("]\n");
            if (GatewayAuth is { } gatewayAuth)
            {
                toml.Append("\n[gateway.auth]\nuse = \"bcrypt\"\nuser = ").Append(Quote(gatewayAuth.User)).Append("\npassword = ").Append(Quote(gatewayAuth.Password)).Append('\n');
            }

            if (GatewayTls is { } gatewayTls)
            {
                toml.Append("\n[gateway.tls]\nuse = \"tls\"\ncert_file = ").Append(Quote(gatewayTls.Cert)).Append("\nkey_file = ").Append(Quote(gatewayTls.Key))
                    .Append("\nca_file = ").Append(Quote(gatewayTls.Ca)).Append("\nverify = true\ntimeout = \"").Append(TlsTimeoutSeconds).Append("s\"\n");
            }
        }

        if (LeafPort is not null || LeafRemotes.Count > 0)
        {
            toml.Append("\n[leafnodes]\n");
            if (LeafPort is { } leafPort)
            {
                toml.Append("listen = ").Append(Quote($"127.0.0.1:{leafPort}")).Append('\n');
            }

            if (LeafRemotes.Count > 0)
            {
                toml.Append("remotes = [")
                    .Append(string.Join(", ", LeafRemotes.Select(r => $"{{ urls = [{string.Join(", ", r.Urls.Select(Quote))}]{(r.Account is null ? "" : $", account = {Quote(r.Account)}")}{LeafDenies(" = ")}{LeafSecrets(" = ")} }}")))
                    .Append("]\n");
            }

            if (LeafTls is { } leafTls)
            {
                toml.Append("\n[leafnodes.tls]\nuse = \"tls\"\ncert_file = ").Append(Quote(leafTls.Cert)).Append("\nkey_file = ").Append(Quote(leafTls.Key))
                    .Append("\nca_file = ").Append(Quote(leafTls.Ca)).Append("\nverify = ").Append(LeafTlsVerify ? "true" : "false")
                    .Append("\ntimeout = \"").Append(TlsTimeoutSeconds).Append("s\"\n");
            }

            if (LeafUsers.Count > 0 || LeafNkeyUsers.Count > 0)
            {
                toml.Append("\n[leafnodes.authorization]\nusers = [")
                    .Append(string.Join(", ", LeafUsers.Select(u => $"{{ user = {Quote(u.User)}, password = {Quote(u.Password)}{(u.Account is null ? "" : $", account = {Quote(u.Account)}")} }}")
                        .Concat(LeafNkeyUsers.Select(u => $"{{ nkey = {Quote(u.Nkey)}, account = {Quote(u.Account)} }}"))))
                    .Append("]\n");
            }
        }

        if (ExtraConfig is not null)
        {
            toml.Append('\n');
            AppendBlock(toml, ExtraConfig, "");
        }

        return toml.ToString();
    }

    /// <summary>nats-server's config format (<c>nats-server -c FILE</c>).</summary>
    public string ToNatsServerConf(BoundPorts? pinned = null)
    {
        var (client, monitor, cluster) = ListenPorts(pinned, random: -1);
        var conf = new StringBuilder();
        conf.Append("server_name: ").Append(Quote(Name)).Append('\n')
            .Append("listen: ").Append(Quote($"{ListenHost}:{client}")).Append('\n');
        if (Monitor)
        {
            conf.Append("http: ").Append(Quote($"{ListenHost}:{monitor}")).Append('\n');
        }

        if (MaxPayload is { } maxPayload)
        {
            conf.Append("max_payload: ").Append(maxPayload).Append('\n');
        }

        if (MaxPending is not null)
        {
            conf.Append("max_pending: ").Append(MaxPending).Append('\n');
        }

        AppendSetting(conf, "write_deadline: ", WriteDeadline);
        AppendSetting(conf, "ping_interval: ", PingInterval);
        if (PingMax is { } pingMax)
        {
            conf.Append("ping_max: ").Append(pingMax).Append('\n');
        }

        if (AuthTimeout is not null)
        {
            conf.Append("authorization { timeout: ").Append(AuthTimeout.TrimEnd('s')).Append(" }\n");
        }

        AppendBlock(conf, ExtraServerConfig, "");
        if (string.Equals(LogLevel, "debug", StringComparison.OrdinalIgnoreCase))
        {
            conf.Append("debug: true\n");
        }
        else if (string.Equals(LogLevel, "trace", StringComparison.OrdinalIgnoreCase))
        {
            conf.Append("debug: true\ntrace: true\n");
        }

        if (NoSystemAccount)
        {
            conf.Append("no_sys_acc: true\n");
        }

        if (Accounts.Count > 0)
        {
            conf.Append("accounts {\n");
            foreach (var (account, users) in Accounts)
            {
                conf.Append("  ").Append(account).Append(": { users: [")
                    .Append(string.Join(", ", users.Select(u => $"{{ user: {Quote(u.User)}, password: {Quote(u.Password)} }}")
                        .Concat(LeafNkeyUsers.Where(n => n.Account == account).Select(n => $"{{ nkey: {Quote(n.Nkey)} }}"))))
                    .Append("] }\n");
            }

            conf.Append("}\n");
        }

        if (ClusterName is not null)
        {
            conf.Append("cluster {\n")
                .Append("  name: ").Append(Quote(ClusterName)).Append('\n')
                .Append("  listen: ").Append(Quote($"{ListenHost}:{cluster}")).Append('\n')
                .Append("  routes: [").Append(string.Join(", ", Routes.Select(Quote))).Append("]\n");
            if (AdvertiseHost is not null)
            {
                conf.Append("  advertise: ").Append(Quote(Advertised(cluster))).Append('\n');
            }

            if (PoolSize is { } poolSize)
            {
                conf.Append("  pool_size: ").Append(poolSize).Append('\n');
            }

            if (Tls is { } tls)
            {
                conf.Append("  tls {\n    cert_file: ").Append(Quote(tls.Cert)).Append("\n    key_file: ").Append(Quote(tls.Key))
                    .Append("\n    ca_file: ").Append(Quote(tls.Ca)).Append("\n    verify: ").Append(TlsVerify ? "true" : "false")
                    .Append("\n    timeout: ").Append(TlsTimeoutSeconds).Append("\n  }\n");
            }

            if (RouteAuth is { } auth)
            {
                conf.Append("  authorization {\n    user: ").Append(Quote(auth.User)).Append("\n    password: ").Append(Quote(auth.Password)).Append("\n    timeout: 3\n  }\n");
            }

            AppendBlock(conf, ExtraClusterConfig, "  ");
            conf.Append("}\n");
        }

        if (GatewayName is not null)
        {
            conf.Append("gateway {\n  name: ").Append(Quote(GatewayName)).Append('\n')
                .Append("  listen: ").Append(Quote($"127.0.0.1:{GatewayPort}")).Append('\n');
            if (GatewayRejectUnknown)
            {
                conf.Append("  reject_unknown: true\n");
            }

            conf.Append("  gateways: [\n");
            foreach (var (name, ports) in Gateways)
            {
                conf.Append("    { name: ").Append(Quote(name)).Append(", urls: [")
                    .Append(string.Join(", ", ports.Select(p => Quote(GatewayUrl(p))))).Append("] }\n");
            }

            conf.Append("  ]\n");
            if (GatewayAuth is { } gatewayAuth)
            {
                conf.Append("  authorization {\n    user: ").Append(Quote(gatewayAuth.User)).Append("\n    password: ").Append(Quote(gatewayAuth.Password)).Append("\n    timeout: 3\n  }\n");
            }

            if (GatewayTls is { } gatewayTls)
            {
                conf.Append("  tls {\n    cert_file: ").Append(Quote(gatewayTls.Cert)).Append("\n    key_file: ").Append(Quote(gatewayTls.Key))
                    .Append("\n    ca_file: ").Append(Quote(gatewayTls.Ca)).Append("\n    verify: true\n    timeout: ").Append(TlsTimeoutSeconds).Append("\n  }\n");
            }

            conf.Append("}\n");
        }

        if (LeafPort is not null || LeafRemotes.Count > 0)
        {
            conf.Append("leafnodes {\n");
            if (LeafPort is { } leafPort)
            {
                conf.Append("  listen: ").Append(Quote($"127.0.0.1:{leafPort}")).Append('\n');
            }

            if (LeafTls is { } leafTls && LeafPort is not null)
            {
                conf.Append("  tls {\n    cert_file: ").Append(Quote(leafTls.Cert)).Append("\n    key_file: ").Append(Quote(leafTls.Key))
                    .Append("\n    ca_file: ").Append(Quote(leafTls.Ca)).Append("\n    verify: ").Append(LeafTlsVerify ? "true" : "false")
                    .Append("\n    timeout: ").Append(TlsTimeoutSeconds).Append("\n  }\n");
            }

            if (LeafUsers.Count > 0)
            {
                conf.Append("  authorization { users: [")
                    .Append(string.Join(", ", LeafUsers.Select(u => $"{{ user: {Quote(u.User)}, password: {Quote(u.Password)}{(u.Account is null ? "" : $", account: {Quote(u.Account)}")} }}")))
                    .Append("] }\n");
            }

            if (LeafRemotes.Count > 0)
            {
                conf.Append("  remotes: [\n");
                foreach (var (urls, account) in LeafRemotes)
                {
                    conf.Append("    { urls: [").Append(string.Join(", ", urls.Select(Quote))).Append(']')
                        .Append(account is null ? "" : $", account: {Quote(account)}").Append(LeafDenies(": ")).Append(LeafSecrets(": "));
                    if (LeafTls is { } remoteTls)
                    {
                        conf.Append($", tls: {{ cert_file: {Quote(remoteTls.Cert)}, key_file: {Quote(remoteTls.Key)}, ca_file: {Quote(remoteTls.Ca)}, timeout: {TlsTimeoutSeconds} }}");
                    }

                    conf.Append(" }\n");
                }

                conf.Append("  ]\n");
            }

            conf.Append("}\n");
        }

        AppendBlock(conf, ExtraConfig, "");
        return conf.ToString();
    }

    private string LeafSecrets(string assign) =>
        (LeafCredentials is null ? "" : $", credentials{assign}{Quote(LeafCredentials)}")
        + (LeafNkeySeed is null ? "" : $", nkey{assign}{Quote(LeafNkeySeed)}");

    private string LeafDenies(string assign) =>
        (LeafDenyImports.Count == 0 ? "" : $", deny_imports{assign}[{string.Join(", ", LeafDenyImports.Select(Quote))}]")
        + (LeafDenyExports.Count == 0 ? "" : $", deny_exports{assign}[{string.Join(", ", LeafDenyExports.Select(Quote))}]");

    private string GatewayUrl(int port) => GatewayUrlCredentials is { } credentials
        ? $"nats://{Uri.EscapeDataString(credentials.User)}:{Uri.EscapeDataString(credentials.Password)}@127.0.0.1:{port}"
        : $"nats://127.0.0.1:{port}";

    private (int Client, int Monitor, int Cluster) ListenPorts(BoundPorts? pinned, int random) =>
        (Ports?.Client ?? pinned?.Client ?? random,
         Ports?.Monitor ?? pinned?.Monitor ?? random,
         Ports?.Cluster ?? pinned?.Cluster ?? random);

    private string Advertised(int clusterPort) => clusterPort > 0
        ? $"{AdvertiseHost}:{clusterPort}"
        : throw new InvalidOperationException($"{Name}: advertising {AdvertiseHost} needs a known cluster port (set Ports)");

    private List<string> PluginsToWrite()
    {
        var plugins = Plugins.ToList();
        if ((Tls is not null || GatewayTls is not null || LeafTls is not null) && !plugins.Contains("tls"))
        {
            plugins.Add("tls");
        }

        if ((RouteAuth is not null || GatewayAuth is not null) && !plugins.Contains("bcrypt"))
        {
            plugins.Add("bcrypt");
        }

        return plugins;
    }

    private static void AppendSetting(StringBuilder text, string key, string? value)
    {
        if (value is not null)
        {
            text.Append(key).Append(Quote(value)).Append('\n');
        }
    }

    private static void AppendBlock(StringBuilder text, string? block, string indent)
    {
        if (string.IsNullOrWhiteSpace(block))
        {
            return;
        }

        foreach (var line in block.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n'))
        {
            text.Append(indent).Append(line).Append('\n');
        }
    }

    // TOML and nats-server's format both take a double-quoted string with \" and \\ escapes.
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
