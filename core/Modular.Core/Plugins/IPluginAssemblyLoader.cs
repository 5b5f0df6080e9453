using System.Reflection;

namespace Modular.Core.Plugins;

/// <summary>
/// The loader seam: loads a plugin's main assembly in a load context of its own, resolving the
/// plugin's dependencies from its folder and sharing only <c>Modular.Abstractions</c> and
/// <c>Microsoft.Extensions.Logging.Abstractions</c> with the host. Kept small so the library
/// behind it (McMaster.NETCore.Plugins, in maintenance mode) can be replaced.
/// </summary>
public interface IPluginAssemblyLoader
{
    /// <exception cref="Exception">The assembly cannot be loaded (bad image, missing dependency).</exception>
    PluginAssembly Load(string mainAssemblyPath);
}

/// <summary>A loaded plugin assembly; disposing releases the load context's handle.</summary>
public sealed class PluginAssembly(Assembly assembly, IDisposable? owner) : IDisposable
{
    public Assembly Assembly { get; } = assembly;

    public void Dispose() => owner?.Dispose();
}
