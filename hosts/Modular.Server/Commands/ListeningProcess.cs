using System.Globalization;

namespace Modular.Server.Commands;

/// <summary>
/// Finds the local process that listens on a TCP port, from /proc (Linux): the listening socket's
/// inode in /proc/net/tcp{,6}, then the process holding that inode among its file descriptors.
/// This is how <c>modular ldm --monitor URL</c> reaches the server behind a monitoring address
/// without any HTTP endpoint that could change the server's state.
/// </summary>
internal static class ListeningProcess
{
    private const string ListenState = "0A";

    /// <summary>The pid listening on <paramref name="port"/>, or null with <paramref name="why"/> saying what was missing.</summary>
    public static int? FindByPort(int port, out string why)
    {
        if (!OperatingSystem.IsLinux())
        {
            why = "finding the process behind a port needs Linux's /proc; use --pid";
            return null;
        }

        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != ListenState)
                {
                    continue;
                }

                var colon = fields[1].LastIndexOf(':');
                if (colon > 0 && int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var localPort) && localPort == port)
                {
                    inodes.Add(fields[9]);
                }
            }
        }

        if (inodes.Count == 0)
        {
            why = $"nothing on this machine listens on TCP port {port}";
            return null;
        }

        var targets = inodes.Select(inode => $"socket:[{inode}]").ToHashSet(StringComparer.Ordinal);
        foreach (var processDir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(processDir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(processDir, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && targets.Contains(target))
                    {
                        why = "";
                        return pid;
                    }
                }
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                // Another user's process, or one that just ended.
            }
        }

        why = $"port {port} is listened on, but by no process this user may see (run as the server's user, or use --pid)";
        return null;
    }
}
