using Tomlyn.Model;
using Tomlyn.Syntax;

namespace Modular.Core.Config;

/// <summary>
/// Turns a Tomlyn syntax tree (already free of syntax errors) into <see cref="ConfigNode"/>s that
/// remember the line of every key, so binding errors can say where they are.
/// </summary>
internal static class TomlTreeReader
{
    public static ConfigTable Read(DocumentSyntax document)
    {
        var root = new ConfigTable("", 1);
        foreach (var keyValue in document.KeyValues)
        {
            AddKeyValue(root, keyValue);
        }

        foreach (var tableSyntax in document.Tables)
        {
            var names = KeyParts(tableSyntax.Name);
            if (names.Count == 0)
            {
                continue;
            }

            var line = LineOf(tableSyntax.Name ?? (SyntaxNodeBase)tableSyntax);
            var parent = Navigate(root, names, names.Count - 1, line);
            var last = names[^1];
            ConfigTable table;
            if (tableSyntax is TableArraySyntax)
            {
                if (!parent.TryGet(last, out var existing) || existing is not ConfigArray array)
                {
                    array = new ConfigArray(parent.ChildPath(last), line, isTableArray: true);
                    parent.Set(last, array);
                }

                table = new ConfigTable($"{array.Path}[{array.Items.Count}]", line);
                array.Items.Add(table);
            }
            else if (parent.TryGet(last, out var existing) && existing is ConfigTable implied)
            {
                // The table was implied earlier by a deeper header ([a.b] before [a]); its header is here.
                implied.Line = line;
                table = implied;
            }
            else
            {
                table = new ConfigTable(parent.ChildPath(last), line);
                parent.Set(last, table);
            }

            foreach (var keyValue in tableSyntax.Items)
            {
                AddKeyValue(table, keyValue);
            }
        }

        return root;
    }

    /// <summary>Converts a node back into Tomlyn's model (string, long, double, bool, TomlDateTime, TomlArray, TomlTableArray, TomlTable).</summary>
    public static object ToModel(ConfigNode node)
    {
        switch (node)
        {
            case ConfigScalar scalar:
                return scalar.Value;
            case ConfigArray { IsTableArray: true } tables:
                var tableArray = new TomlTableArray();
                foreach (var item in tables.Items)
                {
                    tableArray.Add((TomlTable)ToModel(item));
                }

                return tableArray;
            case ConfigArray array:
                var tomlArray = new TomlArray();
                foreach (var item in array.Items)
                {
                    tomlArray.Add(ToModel(item));
                }

                return tomlArray;
            case ConfigTable table:
                var tomlTable = new TomlTable();
                foreach (var entry in table.Entries)
                {
                    tomlTable[entry.Key] = ToModel(entry.Value);
                }

                return tomlTable;
            default:
                throw new InvalidOperationException("unexpected configuration node " + node.GetType().Name);
        }
    }

    private static void AddKeyValue(ConfigTable table, KeyValueSyntax keyValue)
    {
        var names = KeyParts(keyValue.Key);
        if (names.Count == 0 || keyValue.Value is null)
        {
            return;
        }

        var line = LineOf(keyValue.Key ?? (SyntaxNodeBase)keyValue);
        var parent = Navigate(table, names, names.Count - 1, line);
        var last = names[^1];
        parent.Set(last, Convert(keyValue.Value, parent.ChildPath(last), line));
    }

    /// <summary>Walks (creating implied tables) through the first <paramref name="count"/> names; an array of tables means its last table.</summary>
    private static ConfigTable Navigate(ConfigTable start, List<string> names, int count, int line)
    {
        var current = start;
        for (var i = 0; i < count; i++)
        {
            current.TryGet(names[i], out var next);
            switch (next)
            {
                case ConfigTable table:
                    current = table;
                    break;
                case ConfigArray { Items.Count: > 0 } array when array.Items[^1] is ConfigTable lastTable:
                    current = lastTable;
                    break;
                default:
                    var implied = new ConfigTable(current.ChildPath(names[i]), line);
                    current.Set(names[i], implied);
                    current = implied;
                    break;
            }
        }

        return current;
    }

    private static ConfigNode Convert(ValueSyntax value, string path, int line)
    {
        switch (value)
        {
            case StringValueSyntax s:
                return new ConfigScalar(path, line, s.Value ?? "");
            case IntegerValueSyntax i:
                return new ConfigScalar(path, line, i.Value);
            case FloatValueSyntax f:
                return new ConfigScalar(path, line, f.Value);
            case BooleanValueSyntax b:
                return new ConfigScalar(path, line, b.Value);
            case DateTimeValueSyntax d:
                return new ConfigScalar(path, line, d.Value);
            case ArraySyntax a:
                var array = new ConfigArray(path, line, isTableArray: false);
                foreach (var item in a.Items)
                {
                    if (item.Value is { } itemValue)
                    {
                        array.Items.Add(Convert(itemValue, $"{path}[{array.Items.Count}]", LineOf(itemValue)));
                    }
                }

                return array;
            case InlineTableSyntax t:
                var table = new ConfigTable(path, line);
                foreach (var item in t.Items)
                {
                    if (item.KeyValue is { } keyValue)
                    {
                        AddKeyValue(table, keyValue);
                    }
                }

                return table;
            default:
                throw new InvalidOperationException("unexpected TOML value " + value.GetType().Name);
        }
    }

    private static List<string> KeyParts(KeySyntax? key)
    {
        var parts = new List<string>();
        if (key is null)
        {
            return parts;
        }

        AddPart(parts, key.Key);
        foreach (var dotted in key.DotKeys)
        {
            AddPart(parts, dotted.Key);
        }

        return parts;
    }

    private static void AddPart(List<string> parts, BareKeyOrStringValueSyntax? part)
    {
        switch (part)
        {
            case BareKeySyntax bare when bare.Key?.Text is { } text:
                parts.Add(text);
                break;
            case StringValueSyntax quoted when quoted.Value is { } value:
                parts.Add(value);
                break;
        }
    }

    private static int LineOf(SyntaxNodeBase node) => node.Span.Start.Line + 1;
}
