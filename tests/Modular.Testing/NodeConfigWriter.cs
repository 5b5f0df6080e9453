using System.Text;

namespace Modular.Testing;

/// <summary>Renders a <see cref="NodeSpec"/> as the config file of the program that runs it.</summary>
public static class NodeConfigWriter
{
    public static string RouteUrl(int clusterPort) => $"nats-route://127.0.0.1:{clusterPort}";

    /// <summary>The TOML file of DESIGN.md §3.</summary>
    public static string ToModularToml(NodeSpec spec)
    {
        var toml = new StringBuilder();
        if (spec.Plugins.Count > 0)
        {
            toml.Append("plugins = [").Append(string.Join(", ", spec.Plugins.Select(Quote))).Append("]\n\n");
        }

        toml.Append("[server]\n")
            .Append("name = ").Append(Quote(spec.Name)).Append('\n')
            .Append("listen = ").Append(Quote($"127.0.0.1:{spec.Ports.Client}")).Append('\n');
        AppendBlock(toml, spec.ExtraServerConfig, "");
        toml.Append("\n[monitor]\n")
            .Append("listen = ").Append(Quote($"127.0.0.1:{spec.Ports.Monitor}")).Append('\n')
            .Append("\n[log]\n")
            .Append("level = ").Append(Quote(spec.LogLevel)).Append('\n');

        foreach (var (account, users) in spec.Accounts)
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

        toml.Append("\n[cluster]\n")
            .Append("name = ").Append(Quote(spec.ClusterName)).Append('\n')
            .Append("listen = ").Append(Quote($"127.0.0.1:{spec.Ports.Cluster}")).Append('\n')
            .Append("routes = [").Append(string.Join(", ", spec.Routes.Select(port => Quote(RouteUrl(port))))).Append("]\n");
        if (spec.PoolSize is { } poolSize)
        {
            toml.Append("pool_size = ").Append(poolSize).Append('\n');
        }

        AppendBlock(toml, spec.ExtraClusterConfig, "");
        if (spec.ExtraConfig is not null)
        {
            toml.Append('\n');
            AppendBlock(toml, spec.ExtraConfig, "");
        }

        return toml.ToString();
    }

    /// <summary>nats-server's config format (<c>nats-server -c FILE</c>).</summary>
    public static string ToNatsServerConf(NodeSpec spec)
    {
        var conf = new StringBuilder();
        conf.Append("server_name: ").Append(Quote(spec.Name)).Append('\n')
            .Append("listen: ").Append(Quote($"127.0.0.1:{spec.Ports.Client}")).Append('\n')
            .Append("http: ").Append(Quote($"127.0.0.1:{spec.Ports.Monitor}")).Append('\n');
        AppendBlock(conf, spec.ExtraServerConfig, "");
        if (string.Equals(spec.LogLevel, "debug", StringComparison.OrdinalIgnoreCase))
        {
            conf.Append("debug: true\n");
        }
        else if (string.Equals(spec.LogLevel, "trace", StringComparison.OrdinalIgnoreCase))
        {
            conf.Append("debug: true\ntrace: true\n");
        }

        if (spec.NoSystemAccount)
        {
            conf.Append("no_sys_acc: true\n");
        }

        if (spec.Accounts.Count > 0)
        {
            conf.Append("accounts {\n");
            foreach (var (account, users) in spec.Accounts)
            {
                conf.Append("  ").Append(account).Append(": { users: [");
                conf.Append(string.Join(", ", users.Select(u => $"{{ user: {Quote(u.User)}, password: {Quote(u.Password)} }}")));
                conf.Append("] }\n");
            }

            conf.Append("}\n");
        }

        conf.Append("cluster {\n")
            .Append("  name: ").Append(Quote(spec.ClusterName)).Append('\n')
            .Append("  listen: ").Append(Quote($"127.0.0.1:{spec.Ports.Cluster}")).Append('\n')
            .Append("  routes: [").Append(string.Join(", ", spec.Routes.Select(port => Quote(RouteUrl(port))))).Append("]\n");
        if (spec.PoolSize is { } poolSize)
        {
            conf.Append("  pool_size: ").Append(poolSize).Append('\n');
        }

        AppendBlock(conf, spec.ExtraClusterConfig, "  ");
        conf.Append("}\n");
        AppendBlock(conf, spec.ExtraConfig, "");
        return conf.ToString();
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

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
