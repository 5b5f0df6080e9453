namespace Modular.Server.Commands;

/// <summary>
/// <c>modular cluster check --monitor URL...</c>: from one or more servers' monitoring URLs, finds
/// the rest of the cluster (the <c>monitor_url</c> Modular peers give in /routez), reads every
/// server's /varz, /routez?subs=1, /subsz?subs=1, /connz and /healthz and prints the servers, then one line
/// per problem (missing routes, cluster names that disagree, interest that did not propagate, slow
/// consumers, unhealthy servers) and a warning per server it could not read. Exit 0 when the cluster
/// is whole, 1 when anything is wrong, 2 for bad usage. What is found is read a second time a second
/// later, so interest still on its way is not reported (<c>--once</c>: no re-read).
/// </summary>
internal static class ClusterCommand
{
    private const string UsageLine = "usage: modular cluster check --monitor URL [URL...] [--once] [--timeout 5s] (one URL finds the rest of the cluster)";

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
                if (!Modular.Abstractions.Settings.DurationParser.TryParse(args[++i], out timeout) || timeout <= TimeSpan.Zero)
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

            var (crawl, findings, warnings, notes) = await CrawlAndAnalyzeAsync(endpoints, timeout).ConfigureAwait(false);
            if (findings.Count > 0 && !once)
            {
                await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                (crawl, findings, warnings, notes) = await CrawlAndAnalyzeAsync(endpoints, timeout).ConfigureAwait(false);
            }

            var read = crawl.Servers.Where(s => s.Error is null).DistinctBy(s => s.Id, StringComparer.Ordinal).ToList();
            foreach (var server in read)
            {
                var peers = server.Routes.Select(r => r.RemoteId).Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).Count();
                Console.Out.WriteLine(
                    $"server {server.Name} ({server.Id}) at {server.Url}: {peers} peer(s), {server.Routes.Count} route connection(s)"
                    + (server.GatewayName is null ? "" : $", gateway {server.GatewayName} with outbound to {server.OutboundGateways.Count} cluster(s)")
                    + (server.FoundVia is null ? "" : $", found via {server.FoundVia}"));
            }

            foreach (var finding in findings)
            {
                Console.Out.WriteLine("problem: " + finding);
            }

            foreach (var warning in warnings)
            {
                Console.Out.WriteLine("warning: " + warning);
            }

            foreach (var note in notes)
            {
                Console.Out.WriteLine("note: " + note);
            }

            // One cluster's name, or a super-cluster's names joined ("east+west").
            var names = read.Select(s => s.ClusterName).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var cluster = names.Count == 0 ? "-" : read.Any(s => s.GatewayName is not null) ? string.Join("+", names) : names[0];
            var routes = read.Sum(s => s.Routes.Select(r => r.RemoteId).Distinct(StringComparer.Ordinal).Count());
            var subs = read.Sum(s => s.LocalSubscriptions.Count);
            var unread = crawl.Unread.Count;
            var total = crawl.Servers.Count(s => s.Error is not null) + read.Count + unread;
            Console.Out.WriteLine(findings.Count > 0
                ? $"cluster {cluster}: {read.Count} of {total} servers read, {findings.Count} problem(s)"
                : unread == 0
                    ? $"cluster {cluster}: {read.Count} servers, full mesh ({routes} peer links), {subs} local subscriptions all propagated: OK"
                    : $"cluster {cluster}: {read.Count + unread} servers ({unread} not read), full mesh ({routes} peer links seen), {subs} local subscriptions on the servers read all propagated: OK, {warnings.Count} warning(s)");
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

    private static async Task<(ClusterCrawl Crawl, List<string> Findings, List<string> Warnings, List<string> Notes)> CrawlAndAnalyzeAsync(IReadOnlyList<MonitorEndpoint> endpoints, TimeSpan timeout)
    {
        var crawl = await ClusterCrawler.CrawlAsync(endpoints, timeout).ConfigureAwait(false);
        var (findings, warnings, notes) = ClusterCheck.Analyze(crawl);
        return (crawl, findings, warnings, notes);
    }
}
