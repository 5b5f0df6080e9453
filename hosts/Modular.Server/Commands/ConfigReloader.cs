using System.Collections;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging;
using Modular.Core.Config;
using Modular.Core.Plugins;
using Modular.Core.Server;
using Modular.Server.Logging;
using Serilog.Core;

namespace Modular.Server.Commands;

/// <summary>
/// Config reload (SIGHUP, <c>modular reload</c>): reads the file again and applies what can change
/// while running — the log level, the accounts with their users, the cluster routes, and the plugin
/// tables whose seams may change (authentication, TLS, pinned accounts) — all or nothing. Any other
/// difference refuses the whole reload with one line naming the keys; the server keeps running on
/// the configuration it has.
/// </summary>
internal static class ConfigReloader
{
    /// <summary>Bookkeeping properties that are not settings (file names, line numbers, warnings).</summary>
    private static readonly HashSet<string> NotSettings = new(StringComparer.Ordinal)
    {
        "SourceFile", "SourceName", "Warnings", "PluginLines", "Line", "UseLine", "SettingLines", "RouteLines",

        // Plugin tables are compared by the plugin composition, which reconfigures the changed ones.
        "PluginTables",
    };

    /// <summary>Settings applied by a reload; every other difference refuses it.</summary>
    private static readonly HashSet<string> Reloadable = new(StringComparer.Ordinal) { "accounts", "log.level", "cluster.routes" };

    public static async Task ReloadAsync(NatsServer server, PluginComposition plugins, PluginCatalog catalog, ILoggerFactory loggerFactory, LoggingLevelSwitch level, ILogger logger)
    {
        var current = server.Options;
        if (current.SourceFile is not { } path)
        {
            logger.LogWarning("Reload refused: this server runs on the built-in defaults (no -c FILE), there is nothing to read again");
            return;
        }

        ModularOptions next;
        try
        {
            next = ConfigLoader.Load(path);
        }
        catch (ConfigException ex)
        {
            logger.LogError("Reload refused: {Errors}; still running on the previous configuration", string.Join("; ", ex.Errors.Select(e => Cli.OneLine(e.ToString()))));
            return;
        }

        var changed = new List<string>();
        Compare("", current, next, changed);
        var refused = changed.Where(key => !Reloadable.Contains(key)).ToList();
        if (refused.Count > 0)
        {
            logger.LogError(
                "Reload refused: {Keys} cannot change without a restart (log.level, accounts, cluster.routes and the plugin tables [server.auth], [server.tls], [cluster.auth], [cluster.tls], [cluster.pinning] reload); still running on the previous configuration",
                string.Join(", ", refused));
            return;
        }

        PluginReload reload;
        try
        {
            reload = plugins.PrepareReload(next, catalog, loggerFactory);
        }
        catch (ConfigException ex)
        {
            logger.LogError("Reload refused: {Errors}; still running on the previous configuration", string.Join("; ", ex.Errors.Select(e => Cli.OneLine(e.ToString()))));
            return;
        }

        await using var _ = reload.ConfigureAwait(false);
        if (reload.WhyServerCannotTake(server) is { } why)
        {
            logger.LogError("Reload refused: {Why}; still running on the previous configuration", why);
            return;
        }

        var accountsChanged = changed.Contains("accounts");
        if (accountsChanged && reload.Seams.ClientAuthenticator is not null && !reload.ChangedTables.Any(table => PluginTableKind.Find(table)?.ReadsAccounts == true))
        {
            logger.LogError("Reload refused: accounts changed, but clients are authenticated by a plugin, whose users do not reload; still running on the previous configuration");
            return;
        }

        var routesChanged = changed.Contains("cluster.routes");
        if (routesChanged && server.Routes is null)
        {
            logger.LogError("Reload refused: cluster.routes changed, but this server was started without a cluster; still running on the previous configuration");
            return;
        }

        if (reload.ChangedTables.Count > 0)
        {
            try
            {
                await reload.StartAsync().ConfigureAwait(false);
            }
            catch (ConfigException ex)
            {
                logger.LogError("Reload refused: {Errors}; still running on the previous configuration", string.Join("; ", ex.Errors.Select(e => Cli.OneLine(e.ToString()))));
                return;
            }
        }

        var applied = new List<string>();
        if (changed.Contains("log.level"))
        {
            applied.Add($"log.level {current.Log.Level} -> {next.Log.Level}");
            current.Log.Level = next.Log.Level;
            level.MinimumLevel = LoggingSetup.ToLevel(next.Log.Level);
        }

        if (reload.ChangedTables.Count > 0)
        {
            var seams = await server.ReloadSeamsAsync(reload.Seams).ConfigureAwait(false);
            await reload.CommitAsync().ConfigureAwait(false);
            applied.Add($"plugin tables {string.Join(", ", reload.ChangedTables.Select(t => "[" + t + "]"))}" + (seams.Count > 0 ? " (" + string.Join("; ", seams) + ")" : ""));
        }
        else
        {
            // Nothing to swap, but running plugins hear of a changed route list before it is dialed.
            await reload.CommitAsync().ConfigureAwait(false);
        }

        if (accountsChanged)
        {
            if (reload.Seams.ClientAuthenticator is null)
            {
                var closed = await server.ReloadAccountsAsync(next.Accounts).ConfigureAwait(false);
                applied.Add($"accounts ({next.Accounts.Count} account(s), {next.Accounts.Values.Sum(a => a.Users.Count)} user(s), {closed} client(s) closed)");
            }
            else
            {
                current.Accounts = next.Accounts;
                applied.Add($"accounts ({next.Accounts.Count} account(s), checked by the reloaded [server.auth] plugin)");
            }
        }

        if (routesChanged)
        {
            var (added, removed) = server.Routes!.ReloadRoutes(next.Cluster!.Routes);
            applied.Add($"cluster.routes ({added.Count} added, {removed.Count} removed)");
        }

        logger.LogInformation("Reloaded {File}: {Changes}", path, applied.Count == 0 ? "no changes" : string.Join("; ", applied));
    }

    /// <summary>Adds the dotted snake_case path of every setting that differs between <paramref name="a"/> and <paramref name="b"/>.</summary>
    private static void Compare(string path, object? a, object? b, List<string> changed)
    {
        if (a is null || b is null)
        {
            if (a is not null || b is not null)
            {
                changed.Add(path);
            }

            return;
        }

        var type = a.GetType();
        if (type != b.GetType())
        {
            changed.Add(path);
            return;
        }

        if (a is Uri ua && b is Uri ub)
        {
            // Uri.Equals ignores the user info, but in a route URL it is the user and password this
            // server sends: a changed route password is a change of cluster.routes (the route is
            // closed and dialed again with it), not "no changes".
            if (!ua.Equals(ub) || (ua.IsAbsoluteUri && ub.IsAbsoluteUri && ua.UserInfo != ub.UserInfo))
            {
                changed.Add(path);
            }

            return;
        }

        if (type.IsPrimitive || type.IsEnum || a is string or decimal or TimeSpan or DateTime)
        {
            if (!a.Equals(b))
            {
                changed.Add(path);
            }

            return;
        }

        if (a is IDictionary da && b is IDictionary db)
        {
            var keys = da.Keys.Cast<object>().Select(k => k.ToString()!).Union(db.Keys.Cast<object>().Select(k => k.ToString()!)).ToList();
            var before = changed.Count;
            foreach (var key in keys)
            {
                Compare(Join(path, key), da.Contains(key) ? da[key] : null, db.Contains(key) ? db[key] : null, changed);
            }

            Collapse(path, before, changed);
            return;
        }

        if (a is IEnumerable<KeyValuePair<string, object>> ga && b is IEnumerable<KeyValuePair<string, object>> gb)
        {
            var left = ga.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);
            var right = gb.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);
            var before = changed.Count;
            foreach (var key in left.Keys.Union(right.Keys))
            {
                Compare(Join(path, key), left.GetValueOrDefault(key), right.GetValueOrDefault(key), changed);
            }

            Collapse(path, before, changed);
            return;
        }

        if (a is IEnumerable ea && b is IEnumerable eb)
        {
            var left = ea.Cast<object?>().ToList();
            var right = eb.Cast<object?>().ToList();
            var differs = left.Count != right.Count;
            for (var i = 0; !differs && i < left.Count; i++)
            {
                var inner = new List<string>();
                Compare(path, left[i], right[i], inner);
                differs = inner.Count > 0;
            }

            if (differs)
            {
                changed.Add(path);
            }

            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || NotSettings.Contains(property.Name) || !property.CanRead)
            {
                continue;
            }

            Compare(Join(path, SnakeCase(property.Name)), property.GetValue(a), property.GetValue(b), changed);
        }
    }

    /// <summary>The accounts table reloads as a whole: report "accounts", not each user.</summary>
    private static void Collapse(string path, int before, List<string> changed)
    {
        if (path == "accounts" && changed.Count > before)
        {
            changed.RemoveRange(before, changed.Count - before);
            changed.Add(path);
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }
}
