using System.Globalization;
using Tomlyn;
using Tomlyn.Syntax;

namespace Modular.Core.Config;

/// <summary>A TOML value together with where it was written: its dotted path and 1-based line.</summary>
internal abstract class ConfigNode
{
    protected ConfigNode(string path, int line)
    {
        Path = path;
        Line = line;
    }

    /// <summary>The dotted key, e.g. "server.listen" or "accounts.A.users[0].user".</summary>
    public string Path { get; }

    public int Line { get; set; }

    /// <summary>How a user would name this value in a message: the literal for a scalar, "a table" or "an array" otherwise.</summary>
    public abstract string Describe();

    /// <summary>The path of a child key, quoting keys that are not bare TOML keys.</summary>
    public string ChildPath(string key)
    {
        var part = BareKeySyntax.IsBareKey(key) ? key : "\"" + key.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        return Path.Length == 0 ? part : Path + "." + part;
    }
}

/// <summary>A string, integer (long), float (double), boolean or <see cref="TomlDateTime"/>.</summary>
internal sealed class ConfigScalar : ConfigNode
{
    public ConfigScalar(string path, int line, object value)
        : base(path, line)
    {
        Value = value;
    }

    public object Value { get; }

    public override string Describe() => Value switch
    {
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? "",
    };
}

/// <summary>An array; <see cref="IsTableArray"/> when it was written as <c>[[name]]</c> tables.</summary>
internal sealed class ConfigArray : ConfigNode
{
    public ConfigArray(string path, int line, bool isTableArray)
        : base(path, line)
    {
        IsTableArray = isTableArray;
    }

    public bool IsTableArray { get; }

    public List<ConfigNode> Items { get; } = new();

    public override string Describe() => "an array";
}

/// <summary>A table (header, inline or implied by a dotted key) with its keys in file order.</summary>
internal sealed class ConfigTable : ConfigNode
{
    private readonly List<KeyValuePair<string, ConfigNode>> _entries = new();
    private readonly Dictionary<string, ConfigNode> _index = new(StringComparer.Ordinal);

    public ConfigTable(string path, int line)
        : base(path, line)
    {
    }

    public IReadOnlyList<KeyValuePair<string, ConfigNode>> Entries => _entries;

    public bool TryGet(string key, out ConfigNode node) => _index.TryGetValue(key, out node!);

    public void Set(string key, ConfigNode node)
    {
        if (_index.ContainsKey(key))
        {
            _entries.RemoveAll(e => e.Key == key);
        }

        _index[key] = node;
        _entries.Add(new KeyValuePair<string, ConfigNode>(key, node));
    }

    public override string Describe() => "a table";
}
