using System.Reflection;
using Modular.Abstractions.Settings;
using Modular.Core.Config;

namespace Modular.Core.Tests.Config;

/// <summary>
/// docs/configuration.md documents every key the binder accepts, with its declared default: the keys
/// come from <see cref="ConfigKeys"/> (every table it declares, found by reflection so a new table
/// cannot be forgotten), not from a list kept in the test.
/// </summary>
public sealed class ConfigurationDocsTests
{
    /// <summary>The heading of each key table's section in docs/configuration.md.</summary>
    private static readonly Dictionary<string, string> Sections = new(StringComparer.Ordinal)
    {
        [nameof(ConfigKeys.Root)] = "## Top level",
        [nameof(ConfigKeys.Server)] = "## `[server]`",
        [nameof(ConfigKeys.Monitor)] = "## `[monitor]`",
        [nameof(ConfigKeys.MonitorTls)] = "## `[monitor.tls]`",
        [nameof(ConfigKeys.Log)] = "## `[log]`",
        [nameof(ConfigKeys.Cluster)] = "## `[cluster]`",
        [nameof(ConfigKeys.Gateway)] = "## `[gateway]`",
        [nameof(ConfigKeys.RemoteGateway)] = "## `[gateway]` gateways",
        [nameof(ConfigKeys.Leafnodes)] = "## `[leafnodes]`",
        [nameof(ConfigKeys.LeafAuthorization)] = "## `[leafnodes.authorization]`",
        [nameof(ConfigKeys.LeafUser)] = "## `[leafnodes.authorization]` users",
        [nameof(ConfigKeys.RemoteLeaf)] = "## `[leafnodes]` remotes",
        [nameof(ConfigKeys.Account)] = "## `[accounts.NAME]`",
        [nameof(ConfigKeys.User)] = "## `[accounts.NAME]` users",
    };

    public static TheoryData<string, string> BinderKeys()
    {
        var data = new TheoryData<string, string>();
        foreach (var (table, keys) in KeyTables())
        {
            foreach (var key in keys)
            {
                data.Add(table, key.Name);
            }
        }

        return data;
    }

    [Fact]
    public void KeyTables_EveryOne_HasASectionInTheDocs()
    {
        var doc = ReadDoc();
        foreach (var (table, _) in KeyTables())
        {
            Assert.True(Sections.TryGetValue(table, out var heading), $"ConfigKeys.{table} has no section in ConfigurationDocsTests.Sections (add one, and the table to docs/configuration.md)");
            Assert.Contains(doc, line => line == heading);
        }
    }

    [Theory]
    [MemberData(nameof(BinderKeys))]
    public void Docs_BinderKey_IsDocumentedWithItsDefault(string table, string key)
    {
        var declared = KeyTables().Single(t => t.Table == table).Keys.Single(k => k.Name == key);
        var row = SectionRows(ReadDoc(), Sections[table]).FirstOrDefault(cells => cells[0] == $"`{key}`");

        Assert.True(row is not null, $"docs/configuration.md lacks a row for {key} under {Sections[table]}");
        Assert.True(row!.Length >= 5, $"the row for {key} needs key, type, default, nats-server and what");
        if (declared.Default is { } defaultValue)
        {
            Assert.Contains($"`{defaultValue}`", row[2], StringComparison.Ordinal);
        }

        Assert.False(string.IsNullOrWhiteSpace(row[3]), $"the row for {key} needs nats-server's name (or —)");
    }

    private static IEnumerable<(string Table, IReadOnlyList<SettingKey> Keys)> KeyTables() =>
        typeof(ConfigKeys).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(IReadOnlyList<SettingKey>))
            .Select(p => (p.Name, (IReadOnlyList<SettingKey>)p.GetValue(null)!));

    /// <summary>The cells of each table row between the heading and the next section.</summary>
    private static IEnumerable<string[]> SectionRows(string[] doc, string heading)
    {
        var start = Array.IndexOf(doc, heading);
        Assert.True(start >= 0, $"docs/configuration.md lacks the heading {heading}");
        for (var i = start + 1; i < doc.Length && !doc[i].StartsWith("## ", StringComparison.Ordinal); i++)
        {
            if (doc[i].StartsWith('|'))
            {
                yield return doc[i].Trim('|').Split('|').Select(cell => cell.Trim()).ToArray();
            }
        }
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
