namespace Modular.Server.Commands;

/// <summary>
/// <c>modular cluster check --monitor URL...</c>: reads every server's /varz, /routez?subs=1,
/// /subsz?subs=1 and /healthz and prints one line per problem (missing routes, cluster names or peer
/// sets that disagree, interest that did not propagate, slow consumers, unhealthy servers). Exit 0
/// when the cluster is whole, 1 when anything is wrong, 2 for bad usage. What is found is read a
/// second time a second later, so interest still on its way is not reported (<c>--once</c>: no re-read).
/// </summary>
internal static class ClusterCommand
{
    private const string UsageLine = "usage: modular cluster check --monitor URL [URL...] [--once] [--timeout 5s]";

    public static async Task<int> ExecuteAsync(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help")
        {
            Console.Out.WriteLine(UsageLine);
            return args.Count == 0 ? ExitCodes.BadConfigOrUsage : ExitCodes.Ok;
        }

        if (args[0] != "check")
        {
            Cli.Fail($"cluster: unknown subcommand \"{args[0]}\" ({UsageLine})");
            return ExitCodes.BadConfigOrUsage;
        }

        var urls = new List<string>();
        var once = false;
        var timeout = TimeSpan.FromSeconds(5);
        var collecting = false;
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--monitor" or "-m")
            {
                collecting = true;
            }
            else if (arg.StartsWith("--monitor=", StringComparison.Ordinal))
            {
                urls.AddRange(arg["--monitor=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                collecting = true;
            }
            else if (arg == "--once")
            {
                once = true;
                collecting = false;
            }
            else if (arg == "--timeout" && i + 1 < args.Count)
            {
                if (!Core.Config.DurationParser.TryParse(args[++i], out timeout) || timeout <= TimeSpan.Zero)
                {
                    Cli.Fail($"cluster check: --timeout needs a duration such as 5s, not \"{args[i]}\"");
                    return ExitCodes.BadConfigOrUsage;
                }

                collecting = false;
            }
            else if (collecting && !arg.StartsWith('-'))
            {
                urls.AddRange(arg.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            else
            {
                Cli.Fail($"cluster check: unexpected argument \"{arg}\" ({UsageLine})");
                return ExitCodes.BadConfigOrUsage;
            }
        }

        if (urls.Count == 0)
        {
            Cli.Fail($"cluster check: no servers given ({UsageLine})");
            return ExitCodes.BadConfigOrUsage;
        }

        var endpoints = new List<MonitorEndpoint>();
        try
        {
            foreach (var url in urls)
            {
                var endpoint = MonitorEndpoint.TryCreate(url, timeout, out var error);
                if (endpoint is null)
                {
                    Cli.Fail("cluster check: " + error);
                    return ExitCodes.BadConfigOrUsage;
                }

                endpoints.Add(endpoint);
            }

            var (snapshots, findings, notes) = await ReadAndAnalyzeAsync(endpoints).ConfigureAwait(false);
            if (findings.Count > 0 && !once)
            {
                await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                (snapshots, findings, notes) = await ReadAndAnalyzeAsync(endpoints).ConfigureAwait(false);
            }

            foreach (var finding in findings)
            {
                Console.Out.WriteLine("problem: " + finding);
            }

            foreach (var note in notes)
            {
                Console.Out.WriteLine("note: " + note);
            }

            var read = snapshots.Where(s => s.Error is null).ToList();
            var cluster = read.Select(s => s.ClusterName).FirstOrDefault(n => n is not null) ?? "-";
            var routes = read.Sum(s => s.Routes.Select(r => r.RemoteId).Distinct(StringComparer.Ordinal).Count());
            var subs = read.Sum(s => s.LocalSubscriptions.Count);
            Console.Out.WriteLine(findings.Count == 0
                ? $"cluster {cluster}: {read.Count} servers, full mesh ({routes} peer links), {subs} local subscriptions all propagated: OK"
                : $"cluster {cluster}: {read.Count} of {snapshots.Count} servers read, {findings.Count} problem(s)");
            return findings.Count == 0 ? ExitCodes.Ok : ExitCodes.RuntimeFailure;
        }
        finally
        {
            foreach (var endpoint in endpoints)
            {
                endpoint.Dispose();
            }
        }
    }

    private static async Task<(IReadOnlyList<ServerSnapshot> Snapshots, List<string> Findings, List<string> Notes)> ReadAndAnalyzeAsync(IReadOnlyList<MonitorEndpoint> endpoints)
    {
        var snapshots = await Task.WhenAll(endpoints.Select(e => ServerSnapshot.ReadAsync(e, CancellationToken.None))).ConfigureAwait(false);
        var (findings, notes) = ClusterCheck.Analyze(snapshots);
        return (snapshots, findings, notes);
    }
}
