using McMaster.NETCore.Plugins;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Plugins;

namespace Modular.Core.Plugins;

/// <summary>The loader seam on McMaster.NETCore.Plugins: one load context per plugin folder.</summary>
public sealed class McMasterPluginAssemblyLoader : IPluginAssemblyLoader
{
    public static readonly McMasterPluginAssemblyLoader Instance = new();

    /// <summary>
    /// One type from each assembly shared with plugins. Anything else a plugin uses (including its own
    /// copy of a package the host also has) comes from the plugin's folder.
    /// </summary>
    private static readonly Type[] SharedTypes = [typeof(IModularPlugin), typeof(ILogger)];

    public PluginAssembly Load(string mainAssemblyPath)
    {
        var loader = PluginLoader.CreateFromAssemblyFile(mainAssemblyPath, isUnloadable: false, SharedTypes);
        try
        {
            return new PluginAssembly(loader.LoadDefaultAssembly(), loader);
        }
        catch
        {
            loader.Dispose();
            throw;
        }
    }
}
