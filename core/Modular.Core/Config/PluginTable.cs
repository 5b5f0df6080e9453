namespace Modular.Core.Config;

/// <summary>
/// A table that selects a plugin with <c>use = "name"</c>; the rest of the table is the plugin's
/// settings, kept raw (with line numbers) so the plugin can bind and report them itself.
/// </summary>
public sealed class PluginTable
{
    /// <summary>The dotted table name, e.g. "cluster.tls".</summary>
    public string TableName { get; set; } = "";

    public string Use { get; set; } = "";

    /// <summary>1-based line of the <c>use</c> key.</summary>
    public int UseLine { get; set; }

    /// <summary>The settings other than <c>use</c>, as Tomlyn model values (string, long, double, bool, TomlArray, TomlTable…).</summary>
    public Dictionary<string, object> Settings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>1-based line of each setting key, for error messages.</summary>
    public Dictionary<string, int> SettingLines { get; set; } = new(StringComparer.Ordinal);

    /// <summary>1-based line of the table header.</summary>
    public int Line { get; set; }
}
