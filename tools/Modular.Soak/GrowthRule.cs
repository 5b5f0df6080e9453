namespace Modular.Soak;

/// <summary>
/// The "no growth trend" rule: the first third of the samples is warm-up (JIT, pools, buffers
/// growing to their working size); the mean of the last third may exceed the mean of the middle
/// third by at most <see cref="RssSlack"/> of it plus <see cref="RssFloorMiB"/> for RSS, and by
/// <see cref="ThreadSlack"/> threads and <see cref="HandleSlack"/> handles. Steady state with a
/// leak of even 1 MiB a minute fails it over 10 minutes; GC sawtooth and a few pool threads do not.
/// </summary>
public static class GrowthRule
{
    public const double RssSlack = 0.10;
    public const double RssFloorMiB = 8;
    public const double ThreadSlack = 6;
    public const double HandleSlack = 12;

    public const string Text = "after a warm-up third, mean of the last third <= mean of the middle third + 10% + 8 MiB (RSS), + 6 (threads), + 12 (handles)";

    /// <summary>Problems found in one node's samples; empty when it holds (or there are too few samples).</summary>
    public static IEnumerable<string> Check(string node, IReadOnlyList<NodeSample> samples)
    {
        if (samples.Count < 6)
        {
            yield break;
        }

        var third = samples.Count / 3;
        var middle = samples.Skip(third).Take(third).ToList();
        var last = samples.Skip(samples.Count - third).ToList();
        var rssMiddle = middle.Average(s => s.RssMiB);
        var rssLast = last.Average(s => s.RssMiB);
        if (rssLast > rssMiddle * (1 + RssSlack) + RssFloorMiB)
        {
            yield return $"{node}: RSS grew from {rssMiddle:F1} MiB (middle third) to {rssLast:F1} MiB (last third)";
        }

        var threadsMiddle = middle.Average(s => s.Threads);
        var threadsLast = last.Average(s => s.Threads);
        if (threadsLast > threadsMiddle + ThreadSlack)
        {
            yield return $"{node}: threads grew from {threadsMiddle:F1} to {threadsLast:F1}";
        }

        var handlesMiddle = middle.Average(s => s.Handles);
        var handlesLast = last.Average(s => s.Handles);
        if (handlesLast > handlesMiddle + HandleSlack)
        {
            yield return $"{node}: handles grew from {handlesMiddle:F1} to {handlesLast:F1}";
        }
    }
}
