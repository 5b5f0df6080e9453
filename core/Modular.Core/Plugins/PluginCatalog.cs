using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Modular.Abstractions.Plugins;
using Modular.Core.Config;

namespace Modular.Core.Plugins;

/// <summary>
/// The plugins a configuration loads (its root <c>plugins</c> list): each entry resolved to a folder,
/// its main assembly checked against this host's <c>Modular.Abstractions</c>, loaded in a context of
/// its own, and its <see cref="ModularPluginAttribute"/> read. Loading does not run plugin code
/// beyond the assembly's attributes. Every problem is collected and thrown together.
/// </summary>
public sealed class PluginCatalog : IDisposable
{
    private const string AbstractionsName = "Modular.Abstractions";

    private readonly List<PluginAssembly> _assemblies;

    private PluginCatalog(List<LoadedPlugin> plugins, List<PluginAssembly> assemblies)
    {
        Plugins = plugins;
        _assemblies = assemblies;
    }

    public IReadOnlyList<LoadedPlugin> Plugins { get; }

    /// <summary>The version of Modular.Abstractions this host runs with.</summary>
    public static Version HostContractVersion { get; } = typeof(IModularPlugin).Assembly.GetName().Version ?? new Version(0, 0);

    /// <summary>The folder bundled plugins are built into: <c>plugins/</c> next to the host.</summary>
    public static string DefaultBundledDirectory => Path.Combine(AppContext.BaseDirectory, "plugins");

    public LoadedPlugin? Find(string name) => Plugins.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    /// <summary>Loads every plugin of <paramref name="options"/>.</summary>
    /// <exception cref="ConfigException">Any entry cannot be loaded; nothing stays loaded that matters.</exception>
    public static PluginCatalog Load(ModularOptions options, string bundledDirectory, IPluginAssemblyLoader? loader = null)
    {
        loader ??= McMasterPluginAssemblyLoader.Instance;
        var file = options.SourceName ?? options.SourceFile ?? "(defaults)";
        var configDirectory = ConfigDirectoryOf(options);
        var errors = new List<ConfigError>();
        var plugins = new List<LoadedPlugin>();
        var assemblies = new List<PluginAssembly>();
        foreach (var entry in options.Plugins)
        {
            var line = options.PluginLines.GetValueOrDefault(entry);
            void Fail(string message) => errors.Add(new ConfigError(file, line, "plugins", $"\"{entry}\": {message}"));

            var bundled = !IsPath(entry);
            var folder = bundled ? Path.Combine(bundledDirectory, entry) : Path.GetFullPath(Path.Combine(configDirectory, entry));
            if (!Directory.Exists(folder))
            {
                Fail(bundled
                    ? $"no bundled plugin of that name in {bundledDirectory} (bundled: {ListBundled(bundledDirectory)}); a path like \"./{entry}\" names a folder of yours"
                    : $"plugin folder not found: {folder} (relative to the folder of {file})");
                continue;
            }

            if (FindMainAssembly(folder) is not { } assemblyPath)
            {
                Fail($"no plugin in {folder}: expected its assembly and .deps.json there (the build output of a plugin project)");
                continue;
            }

            var reference = ReadContractReference(assemblyPath, out var readProblem);
            if (readProblem is not null)
            {
                Fail($"no plugin in {folder}: {Path.GetFileName(assemblyPath)} {readProblem}");
                continue;
            }

            if (reference is null)
            {
                Fail($"no plugin in {folder}: {Path.GetFileName(assemblyPath)} does not reference {AbstractionsName}");
                continue;
            }

            if (!IsCompatible(reference))
            {
                Fail($"{Path.GetFileName(assemblyPath)} was built against {AbstractionsName} {reference.ToString(3)}, which this host ({AbstractionsName} {HostContractVersion.ToString(3)}) cannot run; rebuild the plugin against {AbstractionsName} {HostContractVersion.ToString(2)}");
                continue;
            }

            PluginAssembly loaded;
            try
            {
                loaded = loader.Load(assemblyPath);
            }
            catch (Exception ex)
            {
                Fail($"cannot load {assemblyPath}: {ex.Message}");
                continue;
            }

            assemblies.Add(loaded);
            ModularPluginAttribute? declaration;
            try
            {
                declaration = loaded.Assembly.GetCustomAttribute<ModularPluginAttribute>();
            }
            catch (Exception ex)
            {
                Fail($"cannot read the plugin declaration of {assemblyPath}: {ex.Message}");
                continue;
            }

            if (declaration is null)
            {
                Fail($"no plugin in {folder}: {Path.GetFileName(assemblyPath)} has no [assembly: ModularPlugin(\"name\", typeof(...), seams)]");
                continue;
            }

            if (CheckDeclaration(declaration) is { } declarationProblem)
            {
                Fail($"{Path.GetFileName(assemblyPath)}: {declarationProblem}");
                continue;
            }

            if (plugins.FirstOrDefault(p => p.Name == declaration.Name) is { } twin)
            {
                Fail($"plugin name \"{declaration.Name}\" is already declared by \"{twin.Entry}\" (line {twin.Line}); two plugins cannot share a name");
                continue;
            }

            plugins.Add(new LoadedPlugin
            {
                Name = declaration.Name,
                Version = InformationalVersion(loaded.Assembly),
                Seams = declaration.Seams,
                Folder = folder,
                AssemblyPath = assemblyPath,
                Entry = entry,
                Line = line,
                IsBundled = bundled,
                PluginType = declaration.PluginType,
            });
        }

        var catalog = new PluginCatalog(plugins, assemblies);
        if (errors.Count > 0)
        {
            catalog.Dispose();
            throw new ConfigException(errors);
        }

        return catalog;
    }

    /// <summary>Loads every plugin folder under <paramref name="bundledDirectory"/> (for <c>modular plugins</c> without a file).</summary>
    public static PluginCatalog LoadBundled(string bundledDirectory, IPluginAssemblyLoader? loader = null)
    {
        var options = new ModularOptions { SourceName = bundledDirectory };
        if (Directory.Exists(bundledDirectory))
        {
            foreach (var folder in Directory.GetDirectories(bundledDirectory).Order(StringComparer.Ordinal))
            {
                options.Plugins.Add(Path.GetFileName(folder));
            }
        }

        return Load(options, bundledDirectory, loader);
    }

    public void Dispose()
    {
        foreach (var assembly in _assemblies)
        {
            assembly.Dispose();
        }

        _assemblies.Clear();
    }

    /// <summary>The folder of the configuration file (relative plugin paths start there), or the current folder.</summary>
    public static string ConfigDirectoryOf(ModularOptions options) =>
        options.SourceFile is { } source ? Path.GetDirectoryName(Path.GetFullPath(source)) ?? Environment.CurrentDirectory : Environment.CurrentDirectory;

    /// <summary>A path names a folder of the user's; a bare name a bundled plugin.</summary>
    public static bool IsPath(string entry) =>
        entry.Contains('/', StringComparison.Ordinal) || entry.Contains('\\', StringComparison.Ordinal) || entry.StartsWith('.') || Path.IsPathRooted(entry);

    /// <summary>
    /// Same major version, and no newer minor than the host's (a plugin may use what its contract
    /// version has); below 1.0 every minor version is a different contract.
    /// </summary>
    public static bool IsCompatible(Version pluginContract)
    {
        var host = HostContractVersion;
        if (pluginContract.Major != host.Major)
        {
            return false;
        }

        return host.Major == 0 ? pluginContract.Minor == host.Minor : pluginContract.Minor <= host.Minor;
    }

    /// <summary>"FOLDER.dll" when present, else the one assembly with a .deps.json beside it.</summary>
    private static string? FindMainAssembly(string folder)
    {
        var named = Path.Combine(folder, Path.GetFileName(folder.TrimEnd(Path.DirectorySeparatorChar)) + ".dll");
        if (File.Exists(named))
        {
            return named;
        }

        var candidates = Directory.GetFiles(folder, "*.deps.json")
            .Select(deps => Path.Combine(folder, Path.GetFileName(deps)[..^".deps.json".Length] + ".dll"))
            .Where(File.Exists)
            .ToList();
        return candidates.Count == 1 ? candidates[0] : null;
    }

    /// <summary>The version of Modular.Abstractions the assembly was compiled against, read from metadata without loading it.</summary>
    private static Version? ReadContractReference(string assemblyPath, out string? problem)
    {
        problem = null;
        try
        {
            using var stream = File.OpenRead(assemblyPath);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                problem = "is not a .NET assembly";
                return null;
            }

            var metadata = pe.GetMetadataReader();
            foreach (var handle in metadata.AssemblyReferences)
            {
                var reference = metadata.GetAssemblyReference(handle);
                if (metadata.StringComparer.Equals(reference.Name, AbstractionsName))
                {
                    return reference.Version;
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or UnauthorizedAccessException or InvalidOperationException)
        {
            problem = "cannot be read as a .NET assembly: " + ex.Message;
            return null;
        }
    }

    private static string? CheckDeclaration(ModularPluginAttribute declaration)
    {
        if (string.IsNullOrEmpty(declaration.Name) || !declaration.Name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            return $"the plugin name \"{declaration.Name}\" must be lower-case letters, digits and dashes";
        }

        if (declaration.PluginType is null || !typeof(IModularPlugin).IsAssignableFrom(declaration.PluginType))
        {
            return $"the plugin type {declaration.PluginType?.FullName ?? "(null)"} does not implement {nameof(IModularPlugin)}";
        }

        if (declaration.PluginType.IsAbstract || declaration.PluginType.GetConstructor(Type.EmptyTypes) is null)
        {
            return $"the plugin type {declaration.PluginType.FullName} needs a public parameterless constructor";
        }

        return declaration.Seams == ModularSeam.None ? "the plugin declares no seams" : null;
    }

    private static string InformationalVersion(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(informational))
        {
            return assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        }

        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }

    private static string ListBundled(string bundledDirectory)
    {
        if (!Directory.Exists(bundledDirectory))
        {
            return "none";
        }

        var names = Directory.GetDirectories(bundledDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}
