using Modular.Abstractions.Plugins;

namespace Modular.Core.Plugins;

/// <summary>A table that selects a plugin for a seam, e.g. [cluster.auth] for route authentication.</summary>
public sealed record PluginTableKind(string TableName, ModularSeam Seam, string Role)
{
    /// <summary>Every table that selects a plugin, in the order plugins are configured and started.</summary>
    public static IReadOnlyList<PluginTableKind> All { get; } =
    [
        new("server.auth", ModularSeam.Auth, "client authentication"),
        new("cluster.tls", ModularSeam.Transport, "route transport (TLS)"),
        new("cluster.auth", ModularSeam.Auth, "route authentication"),
        new("cluster.compression", ModularSeam.Compression, "route compression"),
        new("cluster.discovery", ModularSeam.Discovery, "route discovery"),
        new("cluster.pinning", ModularSeam.RoutePooling, "route pooling"),
        new("server.tls", ModularSeam.Transport, "client transport (TLS)"),
    ];

    public static PluginTableKind? Find(string tableName) => All.FirstOrDefault(kind => kind.TableName == tableName);
}
