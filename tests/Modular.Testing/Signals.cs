using System.Runtime.InteropServices;

namespace Modular.Testing;

/// <summary>POSIX signals by number (Linux numbering).</summary>
public static class Signals
{
    public const int Interrupt = 2;
    public const int Terminate = 15;
    public const int LameDuck = 12;
    public const int Reload = 1;

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>True if <paramref name="pid"/> ignores <paramref name="signal"/> (SigIgn in /proc/PID/status): a background job of a non-interactive shell ignores SIGINT.</summary>
    public static bool Ignores(int pid, int signal)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, null, out var mask)
            && (mask & (1UL << (signal - 1))) != 0;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
