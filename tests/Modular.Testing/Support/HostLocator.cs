namespace Modular.Testing;

/// <summary>
/// Finds the <c>modular.dll</c> built by the same build as this test assembly. With the .NET
/// artifacts layout the tests live at <c>&lt;artifacts&gt;/bin/Modular.Server.Tests/&lt;config&gt;/</c> and
/// the host at <c>&lt;artifacts&gt;/bin/Modular.Server/&lt;config&gt;/</c>, whatever ArtifactsPath is.
/// <c>MODULAR_HOST_DLL</c> overrides the search.
/// </summary>
public static class HostLocator
{
    public const string OverrideVariable = "MODULAR_HOST_DLL";

    public static string FindHostDll()
    {
        var overridden = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrEmpty(overridden))
        {
            return File.Exists(overridden)
                ? Path.GetFullPath(overridden)
                : throw new FileNotFoundException($"{OverrideVariable} points at a missing file", overridden);
        }

        var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        var configName = testDir.Name;
        var binDir = testDir.Parent?.Parent
            ?? throw new InvalidOperationException($"Unexpected test location {testDir.FullName}: expected <artifacts>/bin/Modular.Server.Tests/<config>/");
        var candidate = Path.Combine(binDir.FullName, "Modular.Server", configName, "modular.dll");
        return File.Exists(candidate)
            ? candidate
            : throw new FileNotFoundException(
                $"The modular host was not found next to the tests (looked at {candidate}); build Modular.sln with the same configuration and ArtifactsPath",
                candidate);
    }
}
