using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Modular.Abstractions.Plugins;

/// <summary>What the host gives a plugin instance in <see cref="IModularPlugin.Configure"/>.</summary>
public sealed class PluginContext
{
    /// <summary>The name the plugin declared.</summary>
    public required string PluginName { get; init; }

    /// <summary>The dotted name of the table that selected this instance, e.g. "cluster.auth".</summary>
    public required string TableName { get; init; }

    /// <summary>The table's settings other than <c>use</c>, with their lines; bind them strictly.</summary>
    public required PluginSettings Settings { get; init; }

    /// <summary>The configuration file as the user named it (for messages).</summary>
    public string ConfigFile { get; init; } = "";

    /// <summary>The full path of the folder of the configuration file; relative paths in settings are relative to it.</summary>
    public string ConfigDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>The full path of the folder the plugin was loaded from.</summary>
    public string PluginDirectory { get; init; } = "";

    /// <summary>The host's logging (Serilog behind Microsoft.Extensions.Logging); plugins log only through it.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>A logger named after the plugin ("Modular.Plugins.NAME").</summary>
    public ILogger Logger => _logger ??= LoggerFactory.CreateLogger("Modular.Plugins." + PluginName);

    /// <summary>The <c>routes</c> of <c>[cluster]</c> (a discovery strategy usually dials them too); empty without a cluster.</summary>
    public IReadOnlyList<Uri> ClusterRoutes { get; init; } = Array.Empty<Uri>();

    /// <summary>
    /// The line each of <see cref="ClusterRoutes"/> is written on (same order; 0 when not known), so a
    /// plugin that finds a route it cannot work with reports it where it is written
    /// (<see cref="PluginSettings.AddErrorAt"/> with key <c>cluster.routes</c>).
    /// </summary>
    public IReadOnlyList<int> ClusterRouteLines { get; init; } = Array.Empty<int>();

    /// <summary>The users of <c>[accounts.*]</c>, for an auth plugin in [server.auth] that checks them (e.g. bcrypt passwords).</summary>
    public IReadOnlyList<Auth.AccountUser> AccountUsers { get; init; } = Array.Empty<Auth.AccountUser>();

    private ILogger? _logger;

    /// <summary>A path from a setting made absolute against <see cref="ConfigDirectory"/>.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(ConfigDirectory, path));
}
