using Microsoft.Extensions.Logging;
using Modular.Core.Config;
using Modular.Core.Plugins;

namespace Modular.Server.Commands;

/// <summary>Loading and configuring a configuration's plugins, as <c>run</c>, <c>check</c> and <c>plugins</c> share it.</summary>
internal static class PluginSetup
{
    /// <summary>Variable naming another folder of bundled plugins than <c>plugins/</c> beside the host.</summary>
    public const string BundledDirectoryVariable = "MODULAR_PLUGINS_DIR";

    public static string BundledDirectory =>
        Environment.GetEnvironmentVariable(BundledDirectoryVariable) is { Length: > 0 } overridden
            ? Path.GetFullPath(overridden)
            : PluginCatalog.DefaultBundledDirectory;

    /// <summary>Loads the plugins and configures one instance per plugin table; on errors prints them and returns null.</summary>
    public static PluginCatalog? TryLoad(ModularOptions options, ILoggerFactory? loggerFactory, out PluginComposition? composition)
    {
        composition = null;
        PluginCatalog? catalog = null;
        try
        {
            catalog = PluginCatalog.Load(options, BundledDirectory);
            composition = PluginComposition.Configure(options, catalog, loggerFactory);
            return catalog;
        }
        catch (ConfigException ex)
        {
            catalog?.Dispose();
            Cli.PrintErrors(ex);
            return null;
        }
    }
}
