using Modular.Core.Config;
using Modular.Core.Plugins;

namespace Modular.Server.Commands;

/// <summary>
/// <c>modular plugins [-c FILE]</c>: the plugins a configuration loads (or, without a file, every
/// bundled plugin) with their version, the seams they serve, their folder and the tables using them.
/// </summary>
internal static class PluginsCommand
{
    public static int Execute(IReadOnlyList<string> args)
    {
        var arguments = CommandArguments.Parse("plugins", args);
        if (arguments is null)
        {
            return ExitCodes.BadConfigOrUsage;
        }

        if (arguments.Help)
        {
            Console.Out.Write(Usage.Text);
            return ExitCodes.Ok;
        }

        ModularOptions? options = null;
        PluginCatalog catalog;
        try
        {
            if (arguments.ConfigPath is { } path)
            {
                options = ConfigLoader.Load(path);
                catalog = PluginCatalog.Load(options, PluginSetup.BundledDirectory);
            }
            else
            {
                catalog = PluginCatalog.LoadBundled(PluginSetup.BundledDirectory);
            }
        }
        catch (ConfigException ex)
        {
            Cli.PrintErrors(ex);
            return ExitCodes.BadConfigOrUsage;
        }

        using (catalog)
        {
            if (catalog.Plugins.Count == 0)
            {
                Console.Out.WriteLine(options is null ? $"no bundled plugins in {PluginSetup.BundledDirectory}" : "this configuration loads no plugins");
                return ExitCodes.Ok;
            }

            var rows = new List<string[]> { new[] { "NAME", "VERSION", "SEAMS", "USED BY", "FOLDER" } };
            foreach (var plugin in catalog.Plugins)
            {
                rows.Add([plugin.Name, plugin.Version, plugin.SeamsText, UsedBy(options, plugin.Name), plugin.Folder]);
            }

            var widths = Enumerable.Range(0, rows[0].Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
            foreach (var row in rows)
            {
                Console.Out.WriteLine(string.Join("  ", row.Select((cell, column) => column == row.Length - 1 ? cell : cell.PadRight(widths[column]))).TrimEnd());
            }
        }

        return ExitCodes.Ok;
    }

    private static string UsedBy(ModularOptions? options, string name)
    {
        if (options is null)
        {
            return "-";
        }

        var tables = options.Server.PluginTables.Values
            .Concat(options.Cluster?.PluginTables.Values ?? Enumerable.Empty<PluginTable>())
            .Where(table => table.Use == name)
            .Select(table => "[" + table.TableName + "]")
            .ToList();
        return tables.Count == 0 ? "-" : string.Join(" ", tables);
    }
}
