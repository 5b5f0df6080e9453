using Modular.Core.Server;

namespace Modular.Core.Plugins;

/// <summary>
/// A config reload of the plugin tables, prepared by <see cref="PluginComposition.PrepareReload"/>:
/// the new instances for changed tables are configured; <see cref="StartAsync"/> starts them,
/// <see cref="CommitAsync"/> makes them the composition's and stops the instances they replace.
/// Disposed without a commit, it stops the new instances and leaves the running ones as they were.
/// </summary>
public sealed class PluginReload : IAsyncDisposable
{
    private readonly PluginComposition _owner;
    private readonly List<PluginInstance> _all;
    private readonly List<PluginInstance> _added;
    private readonly List<PluginInstance> _retired;
    private readonly IReadOnlyList<Uri>? _newRoutes;
    private bool _done;

    internal PluginReload(PluginComposition owner, List<PluginInstance> all, List<PluginInstance> added, List<PluginInstance> retired, ServerSeams seams, List<string> changedTables, IReadOnlyList<Uri>? newRoutes)
    {
        _owner = owner;
        _all = all;
        _added = added;
        _retired = retired;
        _newRoutes = newRoutes;
        Seams = seams;
        ChangedTables = changedTables;
    }

    /// <summary>The seams the server takes when the reload is applied (unchanged tables keep their instances).</summary>
    public ServerSeams Seams { get; }

    /// <summary>The plugin tables added, changed or removed, e.g. "cluster.pinning".</summary>
    public IReadOnlyList<string> ChangedTables { get; }

    /// <summary>
    /// Null when <paramref name="server"/> can take <see cref="Seams"/> while running; else why not, in
    /// one line naming the tables, e.g. "[cluster.compression] cannot change without a restart".
    /// </summary>
    public string? WhyServerCannotTake(NatsServer server)
    {
        var fixedSeams = server.SeamsThatCannotReload(Seams);
        return fixedSeams.Count == 0 ? null : string.Join(", ", fixedSeams.Select(Describe)) + " cannot change without a restart";

        // A seam no table fills (the transport an embedding program supplies) by its own name.
        static string Describe(FixedSeam seam) =>
            (PluginTableKind.ForServerSeam(seam.ServerSeam) is { } kind ? "[" + kind.TableName + "]" : "the " + seam.ServerSeam.ToLowerInvariant())
            + (seam.Part is null ? "" : " " + seam.Part);
    }

    /// <summary>Starts the new instances; if one fails, throws a <see cref="ConfigException"/> naming it.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) =>
        PluginComposition.StartInstancesAsync(_added, _owner.Logger, _owner.File, cancellationToken);

    /// <summary>
    /// The server took <see cref="Seams"/>: the new instances become the composition's, the kept ones
    /// hear of a changed route list, the replaced ones stop. Commit also when no table changed, so a
    /// new route list reaches the running instances.
    /// </summary>
    public async Task CommitAsync()
    {
        _done = true;
        _owner.Adopt(_all, Seams, _newRoutes);
        if (_newRoutes is not null)
        {
            PluginComposition.NotifyRoutesChanged(_all.Where(i => !_added.Contains(i)), _newRoutes, _owner.Logger);
        }

        await PluginComposition.StopInstancesAsync(_retired, _owner.Logger).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_done)
        {
            _done = true;
            await PluginComposition.StopInstancesAsync(_added, _owner.Logger).ConfigureAwait(false);
        }
    }
}
