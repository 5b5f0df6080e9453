using System.Globalization;
using Modular.Abstractions.Settings;

namespace Modular.Abstractions.Plugins;

/// <summary>
/// The settings of one plugin table, bound strictly: every getter checks the TOML type (and range)
/// and records an error with the key and its line instead of throwing, so all problems are reported
/// together. A key no getter asked for is reported as unknown when the host checks
/// <see cref="UnknownKeyErrors"/> after <see cref="IModularPlugin.Configure"/>.
/// </summary>
public sealed class PluginSettings
{
    private readonly IReadOnlyDictionary<string, PluginSetting> _values;
    private readonly HashSet<string> _asked = new(StringComparer.Ordinal);
    private readonly List<SettingKey> _declared = new();
    private readonly List<PluginSettingError> _errors = new();

    /// <param name="tableName">The dotted table name, e.g. "cluster.auth"; keys in errors are prefixed with it.</param>
    /// <param name="values">The settings by key (without <c>use</c>).</param>
    /// <param name="tableLine">The line of the table header, for errors about a missing key.</param>
    public PluginSettings(string tableName, IReadOnlyDictionary<string, PluginSetting> values, int tableLine = 0)
    {
        TableName = tableName;
        _values = values;
        TableLine = tableLine;
    }

    public string TableName { get; }

    public int TableLine { get; }

    /// <summary>The keys written in the table, in no particular order.</summary>
    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>The keys the plugin declared with <see cref="Declare"/>, in order.</summary>
    public IReadOnlyList<SettingKey> Declared => _declared;

    /// <summary>
    /// Declares the table's keys as data (name, type, default, description): each counts as known
    /// whether or not a getter asks for it, and an unknown key is compared with them for "did you
    /// mean". Getters still check each value's type strictly.
    /// </summary>
    public void Declare(params SettingKey[] keys)
    {
        foreach (var key in keys)
        {
            _declared.Add(key);
            _asked.Add(key.Name);
        }
    }

    /// <summary>Errors recorded so far by the getters and <see cref="AddError"/>.</summary>
    public IReadOnlyList<PluginSettingError> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    /// <summary>True when the key is written in the table (and marks it known).</summary>
    public bool Contains(string key)
    {
        _asked.Add(key);
        return _values.ContainsKey(key);
    }

    /// <summary>The line of a key, or of the table header when the key is not written.</summary>
    public int LineOf(string key) => _values.TryGetValue(key, out var setting) ? setting.Line : TableLine;

    /// <summary>The dotted key as errors show it, e.g. "cluster.auth.users_file".</summary>
    public string FullKey(string key) => TableName.Length == 0 ? key : TableName + "." + key;

    /// <summary>Records a problem with a key (e.g. a value the plugin cannot use).</summary>
    public void AddError(string key, string message) => _errors.Add(new PluginSettingError(FullKey(key), LineOf(key), message));

    /// <summary>
    /// Records a problem the plugin finds outside its table, by the full dotted key and line it is
    /// written on (e.g. a route of <c>cluster.routes</c>, see <see cref="PluginContext.ClusterRouteLines"/>).
    /// </summary>
    public void AddErrorAt(string fullKey, int line, string message) => _errors.Add(new PluginSettingError(fullKey, line, message));

    /// <summary>The raw value (see <see cref="PluginSetting.Value"/>), or null when not written.</summary>
    public object? GetRaw(string key)
    {
        _asked.Add(key);
        return _values.TryGetValue(key, out var setting) ? setting.Value : null;
    }

    public string? GetString(string key, string? defaultValue = null)
    {
        var raw = GetRaw(key);
        if (raw is null)
        {
            return defaultValue;
        }

        if (raw is string text)
        {
            return text;
        }

        AddError(key, $"expected a string, got {Describe(raw)}");
        return defaultValue;
    }

    /// <summary>A string that must be written and not be blank; "" (with an error) otherwise.</summary>
    public string GetRequiredString(string key)
    {
        if (!Contains(key))
        {
            AddError(key, $"missing: [{TableName}] needs {key} = \"...\"");
            return "";
        }

        var value = GetString(key);
        if (value is null)
        {
            return "";
        }

        if (value.Trim().Length == 0)
        {
            AddError(key, "must not be empty");
            return "";
        }

        return value;
    }

    public long GetInteger(string key, long defaultValue, long min = long.MinValue, long max = long.MaxValue)
    {
        var raw = GetRaw(key);
        if (raw is null)
        {
            return defaultValue;
        }

        if (raw is not long number)
        {
            AddError(key, $"expected an integer, got {Describe(raw)}");
            return defaultValue;
        }

        if (number < min || number > max)
        {
            AddError(key, number < min
                ? $"must be at least {min.ToString(CultureInfo.InvariantCulture)}, got {Describe(raw)}"
                : $"must be at most {max.ToString(CultureInfo.InvariantCulture)}, got {Describe(raw)}");
            return defaultValue;
        }

        return number;
    }

    public bool GetBoolean(string key, bool defaultValue)
    {
        var raw = GetRaw(key);
        if (raw is null)
        {
            return defaultValue;
        }

        if (raw is bool value)
        {
            return value;
        }

        AddError(key, $"expected true or false, got {Describe(raw)}");
        return defaultValue;
    }

    /// <summary>A duration in the configuration's one grammar (<see cref="DurationParser"/>): "500ms", "30s", "1h30m", "250us", "0", or a number of seconds.</summary>
    public TimeSpan GetDuration(string key, TimeSpan defaultValue)
    {
        var raw = GetRaw(key);
        switch (raw)
        {
            case null:
                return defaultValue;
            case long seconds when seconds >= 0 && seconds <= int.MaxValue:
                return TimeSpan.FromSeconds(seconds);
            case string text when DurationParser.TryParse(text, out var parsed):
                return parsed;
            default:
                AddError(key, $"expected a duration like \"30s\", \"2m\" or \"1h30m\", got {Describe(raw)}");
                return defaultValue;
        }
    }

    /// <summary>A size in the configuration's one grammar (<see cref="SizeParser"/>): a number of bytes, or a string like "64KB" or "1MiB".</summary>
    public long GetSize(string key, long defaultValue, long min = 0, long max = long.MaxValue)
    {
        var raw = GetRaw(key);
        long bytes;
        switch (raw)
        {
            case null:
                return defaultValue;
            case long number:
                bytes = number;
                break;
            case string text when SizeParser.TryParse(text, out var parsed):
                bytes = parsed;
                break;
            default:
                AddError(key, $"expected a size like 1048576, \"64KB\" or \"1MB\", got {Describe(raw)}");
                return defaultValue;
        }

        if (bytes < min || bytes > max)
        {
            AddError(key, bytes < min
                ? $"must be at least {min.ToString(CultureInfo.InvariantCulture)} bytes, got {Describe(raw)}"
                : $"must be at most {max.ToString(CultureInfo.InvariantCulture)} bytes, got {Describe(raw)}");
            return defaultValue;
        }

        return bytes;
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive), returned as written in <paramref name="allowed"/>.</summary>
    public string GetChoice(string key, string defaultValue, params string[] allowed)
    {
        var raw = GetRaw(key);
        if (raw is null)
        {
            return defaultValue;
        }

        if (raw is string text)
        {
            foreach (var choice in allowed)
            {
                if (string.Equals(choice, text.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    return choice;
                }
            }
        }

        AddError(key, $"expected one of {string.Join(", ", allowed)}, got {Describe(raw)}");
        return defaultValue;
    }

    /// <summary>An array of strings; empty when not written.</summary>
    public IReadOnlyList<string> GetStringList(string key)
    {
        var raw = GetRaw(key);
        if (raw is null)
        {
            return Array.Empty<string>();
        }

        if (raw is IReadOnlyList<object> items)
        {
            var strings = new List<string>(items.Count);
            foreach (var item in items)
            {
                if (item is not string text)
                {
                    AddError(key, $"expected a list of strings, got {Describe(item)} in it");
                    return Array.Empty<string>();
                }

                strings.Add(text);
            }

            return strings;
        }

        AddError(key, $"expected a list of strings like [\"a\", \"b\"], got {Describe(raw)}");
        return Array.Empty<string>();
    }

    /// <summary>
    /// Errors for every written key no getter asked for, each with a hint when it is close to a
    /// known one. The host calls this after <see cref="IModularPlugin.Configure"/>.
    /// </summary>
    public IReadOnlyList<PluginSettingError> UnknownKeyErrors(string pluginName)
    {
        var errors = new List<PluginSettingError>();
        foreach (var (key, setting) in _values.OrderBy(pair => pair.Value.Line))
        {
            if (_asked.Contains(key))
            {
                continue;
            }

            var message = $"unknown key (a typo, or an option plugin \"{pluginName}\" does not have)";
            if (Suggest(key) is { } suggestion)
            {
                message += $"; did you mean \"{suggestion}\"?";
            }

            errors.Add(new PluginSettingError(FullKey(key), setting.Line, message));
        }

        return errors;
    }

    /// <summary>How a value reads in a message: the literal for a scalar, "a table" or "an array" otherwise.</summary>
    public static string Describe(object value) => value switch
    {
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IReadOnlyDictionary<string, object> => "a table",
        IReadOnlyList<object> => "an array",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Keys a getter asked for that are not written: what a typo most likely meant.</summary>
    private string? Suggest(string key) => KeySuggester.Suggest(key, _asked.Where(known => !_values.ContainsKey(known)));
}
