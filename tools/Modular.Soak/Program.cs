using System.Globalization;

namespace Modular.Soak;

/// <summary>
/// <c>Modular.Soak --minutes M --host modular.dll --work DIR</c>: three <c>modular run</c> nodes in
/// a full mesh, mixed traffic for M minutes, per-node RSS, threads, handles and message counts
/// printed over time; exit 0 only when the steady stream lost and repeated nothing on either
/// receiver, no node died, and no node shows a growth trend (<see cref="GrowthRule"/>).
/// </summary>
public static class Program
{
    private const int SteadyPerSecond = 200;
    private const int BackgroundPerSecond = 300;

    public static async Task<int> Main(string[] args)
    {
        var options = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!options.TryGetValue("--minutes", out var minutesText) || !double.TryParse(minutesText, CultureInfo.InvariantCulture, out var minutes) || minutes <= 0 ||
            !options.TryGetValue("--host", out var host) || !options.TryGetValue("--work", out var work))
        {
            Console.Error.WriteLine("usage: Modular.Soak --minutes M --host path/to/modular.dll --work DIR");
            return 2;
        }

        var duration = TimeSpan.FromMinutes(minutes);
        var interval = TimeSpan.FromSeconds(Math.Clamp(duration.TotalSeconds / 40, 2, 15));
        using var abort = new CancellationTokenSource();
        var nodes = new List<SoakNode>();
        void KillAll()
        {
            foreach (var node in nodes.ToArray())
            {
                node.Dispose();
            }
        }

        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            abort.Cancel();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        try
        {
            return await RunAsync(host, work, duration, interval, nodes, abort.Token);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            Console.WriteLine("soak: interrupted");
            return 130;
        }
        finally
        {
            KillAll();
        }
    }

    private static async Task<int> RunAsync(string host, string work, TimeSpan duration, TimeSpan interval, List<SoakNode> nodes, CancellationToken abort)
    {
        nodes.Add(await SoakNode.StartAsync(host, work, "n1", [], abort));
        nodes.Add(await SoakNode.StartAsync(host, work, "n2", [nodes[0].RouteUrl], abort));
        nodes.Add(await SoakNode.StartAsync(host, work, "n3", [nodes[0].RouteUrl, nodes[1].RouteUrl], abort));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitForMeshAsync(nodes, http, abort);
        Console.WriteLine($"soak: 3 nodes (pids {string.Join(", ", nodes.Select(n => $"{n.Name}={n.Pid}"))}), {duration.TotalMinutes:0.#} min, samples every {interval.TotalSeconds:0} s");
        Console.WriteLine($"soak: steady stream {SteadyPerSecond}/s n1 -> n2, n3; fan-out {BackgroundPerSecond}/s per node, queue {BackgroundPerSecond}/s, requests {BackgroundPerSecond / 4}/s, churn 200 subjects a cycle, one flapping client");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(abort);
        var steady = new SteadyStream(nodes[0], [nodes[1], nodes[2]], SteadyPerSecond);
        var background = new BackgroundTraffic(nodes, BackgroundPerSecond);
        var traffic = Task.WhenAll(steady.RunAsync(stop.Token, abort), background.RunAsync(stop.Token, abort));

        var samples = nodes.ToDictionary(n => n.Name, _ => new List<NodeSample>());
        var started = DateTime.UtcNow;
        Console.WriteLine("   time node   rss MiB threads handles     in_msgs    out_msgs routes   subs");
        while (DateTime.UtcNow - started < duration && !traffic.IsCompleted)
        {
            await Task.Delay(interval, abort);
            var elapsed = DateTime.UtcNow - started;
            foreach (var node in nodes)
            {
                if (node.HasExited)
                {
                    Console.WriteLine($"soak: FAIL {node.Name} exited");
                    return 1;
                }

                var sample = await NodeSample.TakeAsync(node, http, abort);
                samples[node.Name].Add(sample);
                Console.WriteLine($"{elapsed.TotalSeconds,6:0}s {node.Name,-4} {sample.RssMiB,9:0.0} {sample.Threads,7} {sample.Handles,7} {sample.InMsgs,11} {sample.OutMsgs,11} {sample.Routes,6} {sample.Subscriptions,6}");
            }
        }

        stop.Cancel();
        var settled = await Task.WhenAny(traffic, Task.Delay(TimeSpan.FromSeconds(60), abort));
        if (settled != traffic)
        {
            Console.WriteLine("soak: FAIL the traffic did not wind down within 60 s of the stop");
            return 1;
        }

        await traffic;
        Console.WriteLine($"soak: background: {background.Summary}");
        var problems = new List<string>();
        foreach (var receiver in steady.Receivers)
        {
            Console.WriteLine($"soak: steady stream: {steady.Published} published, {receiver.Node} received {receiver.Received}, gaps {receiver.Gaps}, duplicates or reordered {receiver.DuplicatesOrReordered}");
            if (receiver.Received != steady.Published || receiver.Gaps != 0 || receiver.DuplicatesOrReordered != 0)
            {
                problems.Add($"steady stream at {receiver.Node}: {steady.Published - receiver.Received} lost, {receiver.DuplicatesOrReordered} duplicated or reordered");
            }
        }

        foreach (var (name, list) in samples)
        {
            var first = list.Skip(list.Count / 3).FirstOrDefault() ?? list.FirstOrDefault();
            var last = list.LastOrDefault();
            if (first is not null && last is not null)
            {
                Console.WriteLine($"soak: {name}: after warm-up RSS {first.RssMiB:0.0} -> {last.RssMiB:0.0} MiB (max {list.Max(s => s.RssMiB):0.0}), threads {first.Threads} -> {last.Threads}, handles {first.Handles} -> {last.Handles}");
            }

            problems.AddRange(GrowthRule.Check(name, list));
        }

        problems.AddRange(nodes.Where(n => n.HasExited).Select(n => $"{n.Name} exited"));
        Console.WriteLine($"soak: growth rule: {GrowthRule.Text}");
        foreach (var problem in problems)
        {
            Console.WriteLine("soak: FAIL " + problem);
        }

        Console.WriteLine(problems.Count == 0 ? "soak: PASS" : "soak: FAILED");
        return problems.Count == 0 ? 0 : 1;
    }

    // Every node routes to both others (pool_size 3: at least 2 route connections each) before traffic starts.
    private static async Task WaitForMeshAsync(List<SoakNode> nodes, HttpClient http, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var routes = new List<int>();
            foreach (var node in nodes)
            {
                routes.Add((await NodeSample.TakeAsync(node, http, ct)).Routes);
            }

            if (routes.All(r => r >= 2))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the mesh did not form within 30 s (routes per node: {string.Join(", ", routes)})");
            }

            await Task.Delay(100, ct);
        }
    }
}
