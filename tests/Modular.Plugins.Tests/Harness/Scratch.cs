namespace Modular.Plugins.Tests.Harness;

/// <summary>A temporary folder for a test's config and data files; removed on dispose.</summary>
public sealed class Scratch : IDisposable
{
    public Scratch() => Folder = Directory.CreateTempSubdirectory("modular-plugins-").FullName;

    public string Folder { get; }

    /// <summary>Writes a file (creating folders) and returns its full path.</summary>
    public string Write(string name, string text)
    {
        var path = Path.Combine(Folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
