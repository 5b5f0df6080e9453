namespace Modular.Core.Delivery;

/// <summary>
/// The connections one reader queued bytes to during a read batch. Flushing them once at the end
/// of the batch, not once per message, is what coalesces writes. One per reading connection,
/// reused for every batch, so it does not allocate in steady state.
/// </summary>
public sealed class FlushBatch
{
    private readonly List<IFlushTarget> _targets = new(16);

    /// <summary>Adds a target; the caller makes sure it adds each target once per batch.</summary>
    public void Add(IFlushTarget target) => _targets.Add(target);

    public void FlushAll()
    {
        var targets = _targets;
        for (var i = 0; i < targets.Count; i++)
        {
            targets[i].SignalFlush();
        }

        targets.Clear();
    }
}
