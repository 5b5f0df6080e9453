using System.Diagnostics;

namespace Modular.Testing;

/// <summary>Polling with a deadline, instead of fixed sleeps.</summary>
public static class Wait
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(25);

    /// <summary>Polls <paramref name="condition"/> until it holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/> otherwise.</summary>
    public static Task Until(Func<bool> condition, TimeSpan timeout, string what) =>
        Until(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Polls an asynchronous <paramref name="condition"/> until it holds or the deadline passes.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }

                last = null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                last = ex;
            }

            if (clock.Elapsed >= timeout)
            {
                var detail = last is null ? "" : $" (last error: {last.GetType().Name}: {last.Message})";
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.##}s waiting for {what}{detail}");
            }

            await Task.Delay(PollEvery).ConfigureAwait(false);
        }
    }
}
