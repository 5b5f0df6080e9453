using System.Diagnostics;
using System.Text;
using Modular.Faults.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Faults.Tests;

/// <summary>
/// 50,000 subjects subscribed and unsubscribed on one node, five cycles: after each the peer's count of
/// that node's subscriptions (<c>/routez</c> subscriptions) is back at its base, and the node's RSS
/// (a process, read from /proc) shows no upward trend: the last two cycles end within 25 % + 8 MiB of
/// the second (the first warms up).
/// </summary>
public sealed class SubscriptionChurnTests(ITestOutputHelper output)
{
    private const int Subjects = 50_000;
    private const int Cycles = 5;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [MemberData(nameof(Programs.ModularAndReference), MemberType = typeof(Programs))]
    public async Task FiftyThousandSubjectsOnAndOff_PeerCountBackToBase_RssFlat(string programName)
    {
        var figures = new Figures(output);
        var program = Programs.Named(programName);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = timeout.Token;
        await using var peer = await Node.StartAsync(new ConfigBuilder { Name = "churn-peer" }, Programs.BackendFor(program, NodeBackend.InProcess), program, cancellationToken: ct);
        await using var churned = await Node.StartAsync(new ConfigBuilder { Name = "churn-node" }.Route(peer.ClusterPort!.Value), NodeBackend.Process, program, cancellationToken: ct);
        await TestCluster.WaitMeshAsync([peer, churned], TimeSpan.FromSeconds(20), ct);
        await using var client = await RawConnection.ConnectClientAsync(churned, cancellationToken: ct);
        var baseCount = await RemoteSubscriptionsAsync(peer, ct);

        var settled = new List<long>();
        var holding = new List<long>();
        var sid = 0;
        var clock = Stopwatch.StartNew();
        for (var cycle = 1; cycle <= Cycles; cycle++)
        {
            var firstSid = sid + 1;
            await SendInChunksAsync(client, Enumerable.Range(0, Subjects).Select(i => $"SUB churn.c{cycle}.s{i} {++sid}\r\n"), ct);
            await WaitCountAsync(peer, baseCount + Subjects, $"cycle {cycle}: the peer to count {Subjects} more subscriptions", ct);
            holding.Add(RssBytes(churned.ProcessId));
            await SendInChunksAsync(client, Enumerable.Range(firstSid, Subjects).Select(s => $"UNSUB {s}\r\n"), ct);
            await WaitCountAsync(peer, baseCount, $"cycle {cycle}: the peer's count back to its base {baseCount}", ct);
            settled.Add(RssBytes(churned.ProcessId));
        }

        figures.Report("churn", $"{program.Label}: {Cycles} cycles of {Subjects} subjects in {clock.Elapsed.TotalSeconds:0.0}s; peer count back to base {baseCount} each time; "
            + $"RSS holding: {string.Join(", ", holding.Select(Mib))} MiB; RSS after unsubscribing: {string.Join(", ", settled.Select(Mib))} MiB");
        var reference = settled[1];
        var limit = (reference * 1.25) + (8 << 20);
        Assert.True(settled.Skip(Cycles - 2).All(rss => rss <= limit), $"RSS grows: after each cycle {string.Join(", ", settled.Select(Mib))} MiB (limit {limit / (1 << 20):0.0} MiB)");
    }

    private static async Task SendInChunksAsync(RawConnection client, IEnumerable<string> lines, CancellationToken ct)
    {
        var chunk = new StringBuilder();
        foreach (var line in lines)
        {
            chunk.Append(line);
            if (chunk.Length > 32 * 1024)
            {
                await client.SendAsync(chunk.ToString(), ct);
                chunk.Clear();
            }
        }

        chunk.Append("PING\r\n");
        await client.SendAsync(chunk.ToString(), ct);
        await client.WaitForLineAsync("^PONG$", Bound, ct);
    }

    private static async Task WaitCountAsync(Node peer, long expected, string what, CancellationToken ct)
    {
        long last = -1;
        try
        {
            await Wait.Until(async () => (last = await RemoteSubscriptionsAsync(peer, ct)) == expected, Bound, what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}: last count {last}", ex);
        }
    }

    /// <summary>The subscriptions the peer holds for its routes (the churned node's, and nothing else is routed to it).</summary>
    private static async Task<long> RemoteSubscriptionsAsync(Node peer, CancellationToken ct) =>
        (await MonitorEndpoints.RoutezAsync(peer, cancellationToken: ct)).Routes.Sum(r => r.Subscriptions);

    private static long RssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private static string Mib(long bytes) => (bytes / (double)(1 << 20)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
