using System.Reflection;
using Modular.Abstractions.Plugins;
using Modular.Core.Plugins;
using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Docs;

/// <summary>
/// docs/configuration.md names every key each bundled plugin accepts, in the plugin's section. The
/// keys come from the plugins themselves: each is configured with an empty table for every table
/// its seams can serve, and the keys it declared or asked for are the ones it accepts.
/// </summary>
public sealed class PluginConfigurationDocsTests
{
    public static TheoryData<string, string, string> BundledPluginKeys()
    {
        var data = new TheoryData<string, string, string>();
        using var catalog = PluginCatalog.LoadBundled(PluginFolders.Bundled);
        foreach (var plugin in catalog.Plugins)
        {
            foreach (var kind in PluginTableKind.All.Where(k => (plugin.Seams & k.Seam) != 0))
            {
                foreach (var key in KeysAccepted(plugin, kind.TableName))
                {
                    data.Add(plugin.Name, kind.TableName, key);
                }
            }
        }

        return data;
    }

    [Fact]
    public void BundledPlugins_Each_HaveKeysToCheck()
    {
        // Guards the theory below against finding no plugin (and so checking nothing).
        Assert.True(BundledPluginKeys().Count >= 6);
    }

    [Theory]
    [MemberData(nameof(BundledPluginKeys))]
    public void Docs_BundledPluginKey_IsNamedInThePluginSection(string plugin, string table, string key)
    {
        var section = PluginSection(plugin);

        Assert.True(section.Contains($"`{key}`", StringComparison.Ordinal), $"docs/configuration.md's section for {plugin} does not name {key} (accepted in [{table}])");
    }

    private static IEnumerable<string> KeysAccepted(LoadedPlugin loaded, string table)
    {
        var settings = new PluginSettings(table, new Dictionary<string, PluginSetting>());
        var plugin = (IModularPlugin)Activator.CreateInstance(loaded.PluginType)!;
        try
        {
            plugin.Configure(new PluginContext { PluginName = loaded.Name, TableName = table, Settings = settings });
        }
        catch (Exception)
        {
            // An empty table may be refused outright; the keys asked for until then still count.
        }

        // The getters record what they were asked for in PluginSettings' private set; it is the
        // only complete record of the keys a plugin reads without a declaration table.
        var asked = (IEnumerable<string>)typeof(PluginSettings).GetField("_asked", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(settings)!;
        return asked.Union(settings.Declared.Select(k => k.Name)).Order(StringComparer.Ordinal).ToList();
    }

    private static string PluginSection(string plugin)
    {
        var lines = ReadDoc();
        var start = Array.FindIndex(lines, line => line.StartsWith($"### `{plugin}` in ", StringComparison.Ordinal));
        Assert.True(start >= 0, $"docs/configuration.md has no section \"### `{plugin}` in …\"");
        var end = Array.FindIndex(lines, start + 1, line => line.StartsWith("#", StringComparison.Ordinal));
        return string.Join('\n', lines[start..(end < 0 ? lines.Length : end)]);
    }

    private static string[] ReadDoc()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var doc = Path.Combine(dir.FullName, "docs", "configuration.md");
            if (File.Exists(Path.Combine(dir.FullName, "Modular.sln")) && File.Exists(doc))
            {
                return File.ReadAllLines(doc);
            }
        }

        throw new FileNotFoundException("docs/configuration.md not found above " + AppContext.BaseDirectory);
    }
}
