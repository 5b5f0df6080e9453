namespace Modular.Abstractions.Plugins;

/// <summary>
/// Declares the plugin an assembly contains: the name TOML tables select it by (<c>use = "name"</c>),
/// the type the host constructs for each table that uses it, and the seams it serves. The host
/// reads this attribute; it never scans for types. The plugin's version is the assembly's
/// informational version (the <c>Version</c> property of its project).
/// </summary>
/// <example><c>[assembly: ModularPlugin("users-file", typeof(UsersFilePlugin), ModularSeam.Auth)]</c></example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false, Inherited = false)]
public sealed class ModularPluginAttribute : Attribute
{
    public ModularPluginAttribute(string name, Type pluginType, ModularSeam seams)
    {
        Name = name;
        PluginType = pluginType;
        Seams = seams;
    }

    /// <summary>Lower-case letters, digits and dashes, e.g. "file-discovery". Unique among the plugins a config loads.</summary>
    public string Name { get; }

    /// <summary>A public class implementing <see cref="IModularPlugin"/> with a public parameterless constructor.</summary>
    public Type PluginType { get; }

    /// <summary>Every seam an instance can hand out through <see cref="IModularPlugin.GetSeam{TSeam}"/>.</summary>
    public ModularSeam Seams { get; }
}
