using Xunit.Abstractions;

namespace Modular.Faults.Tests.Support;

/// <summary>
/// Where a scenario's figures go: the test output, and one line each appended to
/// <c>$TMPDIR/modular-fault-figures.txt</c> so the figures of a whole run can be quoted side by side.
/// </summary>
public sealed class Figures(ITestOutputHelper output)
{
    public static string FilePath => Path.Combine(Path.GetTempPath(), "modular-fault-figures.txt");

    private static readonly object FileLock = new();

    public void Report(string scenario, string line)
    {
        var text = $"[{scenario}] {line}";
        output.WriteLine(text);
        lock (FileLock)
        {
            File.AppendAllText(FilePath, $"{DateTime.UtcNow:HH:mm:ss} {text}\n");
        }
    }
}
