using System.Diagnostics;
using System.Reflection;

namespace Modular.Testing;

/// <summary>The program a node runs: the modular host (run through <c>dotnet</c>) or a nats-server binary.</summary>
public sealed record NodeProgram(NodeFlavor Flavor, string Path, string Label)
{
    /// <summary>Overrides the nats-server 2.9 binary (default: /usr/sbin/nats-server, Debian bookworm's 2.9.10).</summary>
    public const string NatsServer29Variable = "MODULAR_NATS_SERVER_29";

    /// <summary>Overrides the nats-server 2.10 binary (default: what scripts/get-nats-server-2.10.sh prints).</summary>
    public const string NatsServer210Variable = "MODULAR_NATS_SERVER_210";

    private const string DebianBinary = "/usr/sbin/nats-server";
    private const string Script210 = "scripts/get-nats-server-2.10.sh";
    private const string Cache210 = "/tmp/modular-nats-server-2.10/root/usr/sbin/nats-server";

    private static readonly Lazy<NodeProgram> LazyModular = new(() => new NodeProgram(NodeFlavor.Modular, HostLocator.FindHostDll(), "modular"));
    private static readonly Lazy<NodeProgram> Lazy29 = new(Find29);
    private static readonly Lazy<NodeProgram> Lazy210 = new(Find210);

    /// <summary>
    /// Set to <c>nats-server-2.10</c> (or <c>nats-server-2.9</c>) to run the cluster suites against the
    /// reference server instead of modular, to check the tests themselves.
    /// </summary>
    public const string ReferenceVariable = "MODULAR_CLUSTER_SERVER";

    public static NodeProgram Modular => LazyModular.Value;

    /// <summary>The program the cluster suites run: modular, unless <see cref="ReferenceVariable"/> names a reference server.</summary>
    public static NodeProgram UnderTest => Environment.GetEnvironmentVariable(ReferenceVariable) switch
    {
        "nats-server-2.10" => NatsServer210,
        "nats-server-2.9" => NatsServer29,
        null or "" or "modular" => Modular,
        var other => throw new InvalidOperationException($"{ReferenceVariable}={other}: expected modular, nats-server-2.10 or nats-server-2.9"),
    };

    /// <summary>nats-server 2.9.x, or throws <see cref="PeerProgramMissingException"/> saying how to get it.</summary>
    public static NodeProgram NatsServer29 => Lazy29.Value;

    /// <summary>nats-server 2.10.x, or throws <see cref="PeerProgramMissingException"/> saying how to get it.</summary>
    public static NodeProgram NatsServer210 => Lazy210.Value;

    private static NodeProgram Find29()
    {
        var overridden = Environment.GetEnvironmentVariable(NatsServer29Variable);
        var candidates = !string.IsNullOrEmpty(overridden)
            ? new[] { overridden }
            : new[] { DebianBinary }.Concat(OnPath("nats-server")).Distinct().ToArray();
        var tried = new List<string>();
        foreach (var candidate in candidates)
        {
            var version = VersionOf(candidate);
            tried.Add($"{candidate}: {version ?? "missing or not runnable"}");
            if (version is not null && version.Contains("v2.9.", StringComparison.Ordinal))
            {
                return new NodeProgram(NodeFlavor.NatsServer, candidate, "nats-server " + version.Replace("nats-server: ", "", StringComparison.Ordinal));
            }
        }

        throw new PeerProgramMissingException(
            "nats-server 2.9.x is needed for the interop tests and was not found (" + string.Join("; ", tried) + "). "
            + "Install Debian's package (apt-get install nats-server; scripts/test.sh does this) or set "
            + NatsServer29Variable + " to a 2.9 binary.");
    }

    private static NodeProgram Find210()
    {
        var tried = new List<string>();
        var overridden = Environment.GetEnvironmentVariable(NatsServer210Variable);
        if (!string.IsNullOrEmpty(overridden))
        {
            return Check210(overridden, NatsServer210Variable, tried)
                ?? throw new PeerProgramMissingException(
                    $"{NatsServer210Variable} is set but is not a working nats-server 2.10 ({string.Join("; ", tried)}).");
        }

        if (Check210(Cache210, "cache", tried) is { } cached)
        {
            return cached;
        }

        var root = typeof(NodeProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        var script = root is null ? null : System.IO.Path.Combine(root, Script210);
        if (script is null || !File.Exists(script))
        {
            throw new PeerProgramMissingException(
                $"nats-server 2.10 is needed for the interop tests: set {NatsServer210Variable} or run {Script210} (not found at {script ?? "<unknown repository root>"}).");
        }

        var (exitCode, stdout, stderr) = Run("bash", [script], TimeSpan.FromMinutes(4));
        var printed = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (exitCode == 0 && printed is not null && Check210(printed, Script210, tried) is { } fetched)
        {
            return fetched;
        }

        throw new PeerProgramMissingException(
            $"nats-server 2.10 is needed for the interop tests and {Script210} did not provide it (exit {exitCode}): {stderr.Trim()} {string.Join("; ", tried)}. "
            + $"Run the script (it downloads Debian trixie's package without changing apt sources) or set {NatsServer210Variable}.");
    }

    private static NodeProgram? Check210(string path, string source, List<string> tried)
    {
        var version = VersionOf(path);
        tried.Add($"{path} ({source}): {version ?? "missing or not runnable"}");
        return version is not null && version.Contains("v2.10.", StringComparison.Ordinal)
            ? new NodeProgram(NodeFlavor.NatsServer, path, "nats-server " + version.Replace("nats-server: ", "", StringComparison.Ordinal))
            : null;
    }

    private static IEnumerable<string> OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, name))
            .Where(File.Exists);

    private static string? VersionOf(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var (exitCode, stdout, _) = Run(path, ["--version"], TimeSpan.FromSeconds(10));
            return exitCode == 0 && stdout.Trim().Length > 0 ? stdout.Trim() : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            return null;
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string file, string[] arguments, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A reference peer binary the interop tests need is not there; the message says how to get it.</summary>
public sealed class PeerProgramMissingException(string message) : Exception(message);
