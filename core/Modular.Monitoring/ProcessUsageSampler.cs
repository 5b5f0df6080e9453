using System.Diagnostics;

namespace Modular.Monitoring;

/// <summary>
/// Samples the process's CPU time and working set for /varz. CPU is the percentage of one core used
/// since the previous sample (since process start for the first); samples closer together than half
/// a second reuse the previous figure so rapid polling does not report noise.
/// </summary>
internal sealed class ProcessUsageSampler
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(500);

    private readonly Lock _lock = new();
    private TimeSpan _lastCpu;
    private DateTime _lastWall;
    private double _lastPercent;
    private bool _hasSample;

    public ProcessUsageSample Sample()
    {
        using Process process = Process.GetCurrentProcess();
        TimeSpan cpu = process.TotalProcessorTime;
        long memory = process.WorkingSet64;
        DateTime wall = DateTime.UtcNow;

        lock (_lock)
        {
            if (!_hasSample)
            {
                _lastCpu = TimeSpan.Zero;
                _lastWall = process.StartTime.ToUniversalTime();
                _hasSample = true;
            }
            else if (wall - _lastWall < MinimumInterval)
            {
                return new ProcessUsageSample(_lastPercent, memory);
            }

            double elapsed = (wall - _lastWall).TotalSeconds;
            double used = (cpu - _lastCpu).TotalSeconds;
            _lastPercent = elapsed > 0 ? Math.Round(Math.Max(0, used / elapsed * 100), 2) : 0;
            _lastCpu = cpu;
            _lastWall = wall;
            return new ProcessUsageSample(_lastPercent, memory);
        }
    }
}
