namespace Modular.Plugins.Tests.Harness;

/// <summary>
/// Where the plugin projects this suite depends on were built: beside this test assembly in the
/// artifacts layout (<c>&lt;artifacts&gt;/bin/&lt;Project&gt;/&lt;config&gt;/</c>), whatever ArtifactsPath is.
/// </summary>
public static class PluginFolders
{
    public static string CustomAuth => Of("CustomAuthPlugin");

    public static string FileDiscovery => Of("FileDiscovery");

    public static string DeflateCompression => Of("DeflateCompression");

    public static string Probe => Of("Modular.TestPlugins.Probe");

    public static string ProbeTwin => Of("Modular.TestPlugins.ProbeTwin");

    public static string FutureProbe => Of("Modular.TestPlugins.FutureProbe");

    /// <summary>The host's folder of bundled plugins.</summary>
    public static string Bundled => Path.Combine(Path.GetDirectoryName(HostLocator.FindHostDll())!, "plugins");

    public static string Of(string project)
    {
        var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var folder = Path.Combine(testDir.Parent!.Parent!.FullName, project, testDir.Name);
        return Directory.Exists(folder)
            ? folder
            : throw new DirectoryNotFoundException($"The plugin project {project} was not built next to the tests (looked at {folder}); build Modular.sln with the same configuration and ArtifactsPath");
    }

    /// <summary>A TOML string literal for a path (backslashes and quotes escaped).</summary>
    public static string Toml(string path) => "\"" + path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
