using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Modular.Testing;

/// <summary>
/// Hosts as separate network stacks on this machine: one network namespace per host, each with a
/// veth link into a namespace holding a bridge (the switch), addresses from a private /24 of our own.
/// The root namespace, where the test process and its clients run, gets one more veth into the
/// switch with the subnet's .254, so clients and monitoring reach every host directly. A partition
/// between two hosts is an iptables DROP of each other's address on both hosts' INPUT: packets
/// vanish, no socket is closed, no ICMP or reset tells anyone, and the test process still reaches
/// both. Dispose deletes the namespaces (their veths, the root's too, go with them); a namespace
/// left by a test process that died is deleted by the next one. Needs root, iproute2 and iptables
/// (scripts/test.sh installs them).
/// </summary>
public sealed partial class NetworkNamespaces : IDisposable
{
    private const string Prefix = "mfns";
    private static int _sequence;

    private readonly string _tag;
    private readonly string _switch;
    private readonly List<string> _created = new();
    private readonly HashSet<(string, string)> _drops = new();

    private NetworkNamespaces(string tag, string subnet)
    {
        _tag = tag;
        _switch = tag + "sw";
        Subnet = subnet;
    }

    /// <summary>The first three octets of the /24, e.g. 10.251.7.</summary>
    public string Subnet { get; }

    public IReadOnlyList<NetworkHost> Hosts { get; private set; } = [];

    /// <summary>
    /// Makes <paramref name="count"/> hosts (a, b, c, …) at .1, .2, .3, … of a free /24; throws
    /// <see cref="NetworkNamespacesUnavailableException"/> saying what is missing when this machine
    /// cannot (not root, no ip or iptables).
    /// </summary>
    public static NetworkNamespaces Create(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 26);
        CheckPrerequisites();
        RemoveLeftovers();

        // Namespace and interface names carry the process id (to find leftovers) and a sequence
        // number; interface names have at most 15 characters, so the pid is written in base 36:
        // "mfns" + at most 5 + "n" + at most 2, and 2 more for a switch port ("pa") = 14.
        var tag = $"{Prefix}{ToBase36(Environment.ProcessId)}n{Interlocked.Increment(ref _sequence) % 100}";
        var network = new NetworkNamespaces(tag, FreeSubnet());
        try
        {
            network.Build(count);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Cuts <paramref name="a"/> and <paramref name="b"/> apart: each drops every packet from the other (sockets stay open).</summary>
    public void Partition(NetworkHost a, NetworkHost b)
    {
        Drop(a, b);
        Drop(b, a);
    }

    /// <summary>Joins <paramref name="a"/> and <paramref name="b"/> again.</summary>
    public void Heal(NetworkHost a, NetworkHost b)
    {
        Undrop(a, b);
        Undrop(b, a);
    }

    public void Dispose()
    {
        // Hosts first, the switch last; deleting a namespace deletes the veths in it and their peers.
        for (var i = _created.Count - 1; i >= 0; i--)
        {
            TryIp("netns", "del", _created[i]);
        }

        _created.Clear();
    }

    private void Build(int count)
    {
        AddNamespace(_switch);
        Ip("-n", _switch, "link", "add", "br0", "type", "bridge");
        Ip("-n", _switch, "link", "set", "br0", "up");
        var hosts = new List<NetworkHost>();
        for (var i = 0; i < count; i++)
        {
            var letter = (char)('a' + i);
            var name = _tag + letter;
            AddNamespace(name);
            Ip("-n", name, "link", "set", "lo", "up");
            // Created in the switch with its peer moved straight into the host: the root namespace never sees it.
            var port = _tag + "p" + letter;
            Ip("-n", _switch, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", name);
            var address = $"{Subnet}.{i + 1}";
            Ip("-n", name, "addr", "add", address + "/24", "dev", "eth0");
            Ip("-n", name, "link", "set", "eth0", "up");
            AttachToSwitch(port);
            hosts.Add(new NetworkHost(name, address));
        }

        // The root namespace's way in: "netns 1" is the namespace of pid 1, the root one.
        var rootPort = _tag + "pr";
        var rootEnd = _tag + "r";
        Ip("-n", _switch, "link", "add", rootPort, "type", "veth", "peer", "name", rootEnd, "netns", "1");
        Ip("addr", "add", $"{Subnet}.254/24", "dev", rootEnd);
        Ip("link", "set", rootEnd, "up");
        AttachToSwitch(rootPort);
        Hosts = hosts;
    }

    private void AddNamespace(string name)
    {
        Ip("netns", "add", name);
        _created.Add(name);
    }

    private void AttachToSwitch(string port)
    {
        Ip("-n", _switch, "link", "set", port, "master", "br0");
        Ip("-n", _switch, "link", "set", port, "up");
    }

    private void Drop(NetworkHost on, NetworkHost from)
    {
        if (_drops.Add((on.Namespace, from.Address)))
        {
            Run("ip", "netns", "exec", on.Namespace, "iptables", "-I", "INPUT", "-s", from.Address, "-j", "DROP");
        }
    }

    private void Undrop(NetworkHost on, NetworkHost from)
    {
        if (_drops.Remove((on.Namespace, from.Address)))
        {
            Run("ip", "netns", "exec", on.Namespace, "iptables", "-D", "INPUT", "-s", from.Address, "-j", "DROP");
        }
    }

    private static void CheckPrerequisites()
    {
        var missing = new List<string>();
        if (!Environment.IsPrivilegedProcess)
        {
            missing.Add($"root (running as uid of user {Environment.UserName})");
        }

        foreach (var tool in new[] { "ip", "iptables" })
        {
            if (Which(tool) is null)
            {
                missing.Add($"{tool} (Debian package {(tool == "ip" ? "iproute2" : "iptables")})");
            }
        }

        if (missing.Count > 0)
        {
            throw new NetworkNamespacesUnavailableException(
                "a partition between network namespaces needs " + string.Join(", ", missing)
                + "; run the tests as root with iproute2 and iptables installed (scripts/test.sh installs them)");
        }
    }

    /// <summary>Deletes namespaces of ours whose test process is gone (killed mid-test, so its Dispose never ran).</summary>
    private static void RemoveLeftovers()
    {
        var (_, list, _) = Run(false, "ip", "netns", "list");
        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = line.Split(' ')[0];
            var match = OurName().Match(name);
            if (match.Success && !Directory.Exists($"/proc/{FromBase36(match.Groups[1].Value)}"))
            {
                TryIp("netns", "del", name);
            }
        }
    }

    /// <summary>A 10.250–253.x.0/24 no interface of the root namespace has an address in.</summary>
    private static string FreeSubnet()
    {
        var (_, addresses, _) = Run(false, "ip", "-4", "-o", "addr", "show");
        var start = (Environment.ProcessId * 31) + _sequence;
        for (var i = 0; i < 1000; i++)
        {
            var n = (start + i) % 1000;
            var subnet = $"10.{250 + (n / 250)}.{n % 250}";
            if (!addresses.Contains($" {subnet}.", StringComparison.Ordinal))
            {
                return subnet;
            }
        }

        throw new InvalidOperationException("no free 10.250-253.x.0/24 subnet in the root namespace");
    }

    private static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"])
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    private static void Ip(params string[] args) => Run("ip", args);

    private static void TryIp(params string[] args) => Run(false, "ip", args);

    private static void Run(string file, params string[] args) => Run(true, file, args);

    private static (int ExitCode, string Stdout, string Stderr) Run(bool check, string file, params string[] args)
    {
        var startInfo = new ProcessStartInfo(Which(file) ?? file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 20 s");
        }

        process.WaitForExit();
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string ToBase36(int value)
    {
        const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        var text = "";
        do
        {
            text = Digits[value % 36] + text;
            value /= 36;
        }
        while (value > 0);
        return text;
    }

    private static int FromBase36(string text) =>
        text.Aggregate(0, (value, c) => (value * 36) + (char.IsDigit(c) ? c - '0' : c - 'a' + 10));

    [GeneratedRegex("^mfns([0-9a-z]+)n[0-9]+(sw|[a-z])$")]
    private static partial Regex OurName();
}

/// <summary>One host of <see cref="NetworkNamespaces"/>: its namespace and its address.</summary>
public sealed record NetworkHost(string Namespace, string Address)
{
    /// <summary><paramref name="config"/> run inside this host: listeners on its address, the process under <c>ip netns exec</c>.</summary>
    public ConfigBuilder Place(ConfigBuilder config) =>
        config with { ListenHost = Address, LaunchPrefix = ["ip", "netns", "exec", Namespace] };

    public string RouteUrl(int clusterPort) => ConfigBuilder.RouteUrl(clusterPort, Address);
}

/// <summary>This machine cannot make network namespaces for a test (not root, or iproute2/iptables missing).</summary>
public sealed class NetworkNamespacesUnavailableException(string message) : Exception(message);
