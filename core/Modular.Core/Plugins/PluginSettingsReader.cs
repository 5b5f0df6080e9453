using Modular.Abstractions.Plugins;
using Modular.Core.Config;
using Tomlyn;
using Tomlyn.Model;

namespace Modular.Core.Plugins;

/// <summary>Turns a <see cref="PluginTable"/> (Tomlyn values) into <see cref="PluginSettings"/> (plain .NET values), so plugins never see Tomlyn.</summary>
internal static class PluginSettingsReader
{
    public static PluginSettings Read(PluginTable table)
    {
        var values = new Dictionary<string, PluginSetting>(StringComparer.Ordinal);
        foreach (var (key, value) in table.Settings)
        {
            values[key] = new PluginSetting(ToPlain(value), table.SettingLines.GetValueOrDefault(key, table.Line));
        }

        return new PluginSettings(table.TableName, values, table.Line);
    }

    private static object ToPlain(object value) => value switch
    {
        TomlTable table => table.ToDictionary(pair => pair.Key, pair => ToPlain(pair.Value), StringComparer.Ordinal).AsReadOnly(),
        TomlTableArray tables => tables.Select(object (t) => ToPlain(t)).ToList().AsReadOnly(),
        TomlArray array => array.Select(item => ToPlain(item!)).ToList().AsReadOnly(),
        TomlDateTime dateTime => dateTime.DateTime,
        _ => value,
    };
}
