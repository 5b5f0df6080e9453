using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Modular.Server.Commands;

/// <summary>
/// The signals <c>modular run</c> answers beyond SIGINT/SIGTERM, and sending them to another process
/// (what <c>modular ldm</c> and <c>modular reload</c> do). SIGUSR2 has no <see cref="PosixSignal"/>
/// name; .NET accepts its raw number, which differs between Linux and macOS.
/// </summary>
internal static class PosixSignals
{
    private const int SigHup = 1;

    /// <summary>SIGUSR2 as a raw <see cref="PosixSignal"/> value, or null where there is none (Windows).</summary>
    public static PosixSignal? LameDuck =>
        OperatingSystem.IsLinux() ? (PosixSignal)12
        : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? (PosixSignal)31
        : null;

    /// <summary>SIGHUP (reload), or null on Windows.</summary>
    public static PosixSignal? Reload => OperatingSystem.IsWindows() ? null : PosixSignal.SIGHUP;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; throws <see cref="Win32Exception"/> with the OS reason.</summary>
    public static void Send(int pid, PosixSignal signal)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("signals are not available on Windows");
        }

        var number = signal switch
        {
            PosixSignal.SIGHUP => SigHup,
            PosixSignal.SIGINT => 2,
            PosixSignal.SIGTERM => 15,
            _ => (int)signal,
        };
        if (number <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(signal), signal, "not a signal number");
        }

        if (Kill(pid, number) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError());
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
