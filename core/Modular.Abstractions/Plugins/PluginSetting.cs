namespace Modular.Abstractions.Plugins;

/// <summary>
/// One raw setting and the 1-based line it was written on. <see cref="Value"/> is a string, long,
/// double, bool, <see cref="DateTimeOffset"/>, <c>IReadOnlyList&lt;object&gt;</c> (an array) or
/// <c>IReadOnlyDictionary&lt;string, object&gt;</c> (a table).
/// </summary>
public readonly record struct PluginSetting(object Value, int Line);
