namespace Modular.Abstractions.Plugins;

/// <summary>A problem with one plugin setting: the dotted key (e.g. "cluster.auth.users_file"), its line (0 if none) and what is wrong.</summary>
public sealed record PluginSettingError(string Key, int Line, string Message);
