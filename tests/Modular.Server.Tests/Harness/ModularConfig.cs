using System.Text;

namespace Modular.Server.Tests.Harness;

/// <summary>The settings a test wants in its server's TOML file (DESIGN.md §3). Ports are filled in when the server starts (port 0, read back).</summary>
public sealed class ModularConfig
{
    public string? Name { get; init; }

    public bool Monitor { get; init; }

    public int? MaxPayload { get; init; }

    /// <summary>A size, e.g. "256KB".</summary>
    public string? MaxPending { get; init; }

    /// <summary>Durations, e.g. "2s".</summary>
    public string? WriteDeadline { get; init; }

    public string? PingInterval { get; init; }

    public int? PingMax { get; init; }

    public string? AuthTimeout { get; init; }

    public string LogLevel { get; init; } = "info";

    /// <summary>Account name → (user, password) pairs. Any account makes the server require auth.</summary>
    public IReadOnlyDictionary<string, (string User, string Password)[]> Accounts { get; init; } =
        new Dictionary<string, (string User, string Password)[]>();

    /// <summary>The TOML, listening on <paramref name="pinned"/> ports (null: port 0, the OS picks).</summary>
    public string ToToml(BoundPorts? pinned)
    {
        var clientPort = pinned?.Client ?? 0;
        int? monitorPort = Monitor ? pinned?.Monitor ?? 0 : null;
        var toml = new StringBuilder();
        toml.Append("[server]\n");
        if (Name is not null)
        {
            toml.Append("name = ").Append(Quote(Name)).Append('\n');
        }

        toml.Append("listen = ").Append(Quote($"127.0.0.1:{clientPort}")).Append('\n');
        if (MaxPayload is { } maxPayload)
        {
            toml.Append("max_payload = ").Append(maxPayload).Append('\n');
        }

        AppendString(toml, "max_pending", MaxPending);
        AppendString(toml, "write_deadline", WriteDeadline);
        AppendString(toml, "ping_interval", PingInterval);
        if (PingMax is { } pingMax)
        {
            toml.Append("ping_max = ").Append(pingMax).Append('\n');
        }

        AppendString(toml, "auth_timeout", AuthTimeout);

        if (monitorPort is { } port)
        {
            toml.Append("\n[monitor]\nlisten = ").Append(Quote($"127.0.0.1:{port}")).Append('\n');
        }

        toml.Append("\n[log]\nlevel = ").Append(Quote(LogLevel)).Append('\n');

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

        return toml.ToString();
    }

    /// <summary>
    /// The same settings in nats-server's config format, so the suite can be pointed at the
    /// reference server (<c>MODULAR_E2E_SERVER=nats-server</c>) to check the tests themselves; listening
    /// on <paramref name="pinned"/> ports (null: -1, nats-server's random port).
    /// </summary>
    public string ToNatsServerConf(BoundPorts? pinned)
    {
        var clientPort = pinned?.Client ?? -1;
        int? monitorPort = Monitor ? pinned?.Monitor ?? -1 : null;
        var conf = new StringBuilder();
        conf.Append("listen: ").Append(Quote($"127.0.0.1:{clientPort}")).Append('\n');
        if (monitorPort is { } port)
        {
            conf.Append("http: ").Append(Quote($"127.0.0.1:{port}")).Append('\n');
        }

        if (Name is not null)
        {
            conf.Append("server_name: ").Append(Quote(Name)).Append('\n');
        }

        if (MaxPayload is { } maxPayload)
        {
            conf.Append("max_payload: ").Append(maxPayload).Append('\n');
        }

        if (MaxPending is not null)
        {
            conf.Append("max_pending: ").Append(MaxPending).Append('\n');
        }

        if (WriteDeadline is not null)
        {
            conf.Append("write_deadline: ").Append(Quote(WriteDeadline)).Append('\n');
        }

        if (PingInterval is not null)
        {
            conf.Append("ping_interval: ").Append(Quote(PingInterval)).Append('\n');
        }

        if (PingMax is { } pingMax)
        {
            conf.Append("ping_max: ").Append(pingMax).Append('\n');
        }

        if (AuthTimeout is not null)
        {
            conf.Append("authorization { timeout: ").Append(AuthTimeout.TrimEnd('s')).Append(" }\n");
        }

        if (Accounts.Count > 0)
        {
            conf.Append("accounts {\n");
            foreach (var (account, users) in Accounts)
            {
                conf.Append("  ").Append(account).Append(": { users: [");
                conf.Append(string.Join(", ", users.Select(u => $"{{ user: {Quote(u.User)}, password: {Quote(u.Password)} }}")));
                conf.Append("] }\n");
            }

            conf.Append("}\n");
        }

        return conf.ToString();
    }

    private static void AppendString(StringBuilder toml, string key, string? value)
    {
        if (value is not null)
        {
            toml.Append(key).Append(" = ").Append(Quote(value)).Append('\n');
        }
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
