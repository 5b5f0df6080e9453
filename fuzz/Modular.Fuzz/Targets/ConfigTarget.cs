using System.Text;
using Modular.Core.Config;
using Modular.Core.Plugins;

namespace Modular.Fuzz.Targets;

/// <summary>
/// The configuration as <c>modular check</c> takes it: TOML bound by <see cref="ConfigLoader"/>,
/// then its plugins loaded from the bundled folder beside this program and each plugin table
/// configured (which binds the plugin's settings), then stopped. A <see cref="ConfigException"/>
/// whose errors each name the file and a line is the documented outcome for a bad file; an error
/// without them, or any other exception, is a finding.
/// </summary>
public sealed class ConfigTarget : IFuzzTarget
{
    // Loading a plugin makes a load context; each distinct plugins list is loaded once per process.
    private const int MaxCachedCatalogs = 64;

    // An empty folder the file seems to live in: relative plugin paths and files resolve there (to nothing).
    private static readonly string Folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "modular-fuzz-config")).FullName;
    private static readonly string FileName = Path.Combine(Folder, "fuzz.toml");
    private readonly Dictionary<string, PluginCatalog> _catalogs = new(StringComparer.Ordinal);

    public void Run(byte[] input)
    {
        // The file is read as File.ReadAllText reads it: UTF-8, invalid bytes replaced.
        var text = Encoding.UTF8.GetString(input);
        ModularOptions options;
        try
        {
            options = ConfigLoader.LoadFromString(text, FileName);
        }
        catch (ConfigException ex)
        {
            CheckErrors(ex);
            return;
        }

        if (CatalogFor(options) is not { } catalog)
        {
            return;
        }

        try
        {
            var composition = PluginComposition.Configure(options, catalog);
            composition.StopAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (ConfigException ex)
        {
            CheckErrors(ex);
        }
    }

    private PluginCatalog? CatalogFor(ModularOptions options)
    {
        var key = string.Join('\n', options.Plugins);
        if (_catalogs.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (_catalogs.Count >= MaxCachedCatalogs)
        {
            return null;
        }

        try
        {
            var catalog = PluginCatalog.Load(options, PluginCatalog.DefaultBundledDirectory);
            _catalogs[key] = catalog;
            return catalog;
        }
        catch (ConfigException ex)
        {
            CheckErrors(ex);
            return null;
        }
    }

    private static void CheckErrors(ConfigException ex)
    {
        if (ex.Errors.Count == 0)
        {
            throw new FuzzFinding("a ConfigException with no errors");
        }

        foreach (var error in ex.Errors)
        {
            if (error.File != FileName || string.IsNullOrWhiteSpace(error.Message))
            {
                throw new FuzzFinding($"a config error that does not name the file or say what is wrong: {error}");
            }
        }
    }
}
