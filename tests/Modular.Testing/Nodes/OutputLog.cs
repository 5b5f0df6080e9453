namespace Modular.Testing;

/// <summary>A node's output across all its runs, one line per entry (a process's stderr lines start with "err| ").</summary>
public sealed class OutputLog
{
    private readonly List<string> _lines = new();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToArray();
            }
        }
    }

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
        }
    }

    /// <summary>True if any line so far contains <paramref name="text"/> (case-insensitive).</summary>
    public bool Contains(string text) => Lines.Any(line => line.Contains(text, StringComparison.OrdinalIgnoreCase));

    /// <summary>The last <paramref name="count"/> lines, one per line of text.</summary>
    public string Tail(int count)
    {
        var all = Lines;
        return string.Concat(all.Skip(Math.Max(0, all.Count - count)).Select(line => line + "\n"));
    }
}
