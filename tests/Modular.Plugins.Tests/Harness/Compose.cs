using Microsoft.Extensions.Logging;
using Modular.Core.Config;
using Modular.Core.Plugins;

namespace Modular.Plugins.Tests.Harness;

/// <summary>In-process composition: a TOML file in a scratch folder, loaded and configured through the real loader.</summary>
public static class Compose
{
    /// <summary>Loads the config and its plugins and configures them; the caller disposes both.</summary>
    public static (PluginCatalog Catalog, PluginComposition Composition, ModularOptions Options) Configure(Scratch scratch, string toml, ILoggerFactory? loggerFactory = null)
    {
        var options = ConfigLoader.Load(scratch.Write("modular.toml", toml));
        var catalog = PluginCatalog.Load(options, PluginFolders.Bundled);
        try
        {
            return (catalog, PluginComposition.Configure(options, catalog, loggerFactory), options);
        }
        catch
        {
            catalog.Dispose();
            throw;
        }
    }

    /// <summary>The errors a config produces when loading or configuring its plugins, as the one-line strings users see.</summary>
    public static IReadOnlyList<string> Errors(Scratch scratch, string toml)
    {
        try
        {
            var (catalog, composition, _) = Configure(scratch, toml);
            composition.StopAsync().AsTask().GetAwaiter().GetResult();
            catalog.Dispose();
            return Array.Empty<string>();
        }
        catch (ConfigException ex)
        {
            return ex.Errors.Select(e => e.ToString()).ToList();
        }
    }
}
