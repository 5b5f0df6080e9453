using System.Diagnostics;
using System.Text.RegularExpressions;
using Modular.Testing;

namespace Modular.Cluster.Tests.Operations;

/// <summary>The live page at <c>/</c>, loaded by headless Chromium from a running 3-node cluster.</summary>
public sealed partial class MonitorPageTests
{
    /// <summary>Set to another Chromium binary if Debian's is not at the usual place.</summary>
    public const string ChromiumVariable = "MODULAR_CHROMIUM";

    [Fact]
    public async Task Page_ShowsTheThreeServersAndTheirRoutes_InHeadlessChromium()
    {
        var chromium = FindChromium();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 3, NamePrefix = "pg" }, timeout.Token);

        var dom = await DumpDomAsync(chromium, cluster[0].MonitorUrl + "/", timeout.Token);

        Assert.Matches(TicksAttribute(), dom);
        // The mesh picture: this server and its two peers, one line to each.
        foreach (var name in new[] { "pg1", "pg2", "pg3" })
        {
            Assert.Contains($"data-server=\"{name}\"", dom, StringComparison.Ordinal);
        }

        Assert.Contains("class=\"server self\" data-server=\"pg1\"", dom, StringComparison.Ordinal);
        foreach (var peer in new[] { "pg2", "pg3" })
        {
            Assert.Contains($"class=\"link\" data-remote=\"{peer}\"", dom, StringComparison.Ordinal);
            Assert.Contains($"class=\"peer\" data-remote=\"{peer}\"", dom, StringComparison.Ordinal);
            Assert.Matches($"class=\"route\" data-rid=\"\\d+\" data-remote=\"{peer}\"", dom);
        }

        // Each peer's name links to its own page, from the monitor_url of its routes.
        Assert.Contains($"<a href=\"{cluster[1].MonitorUrl}/\">pg2</a>", dom, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{cluster[2].MonitorUrl}/\">pg3</a>", dom, StringComparison.Ordinal);

        Assert.Contains("healthy", dom, StringComparison.Ordinal);

        // The peers' own routes, read through their monitor_url: pg2 and pg3 route to each other.
        Assert.Contains("class=\"peerlink\" data-between=\"pg2 pg3\"", dom, StringComparison.Ordinal);
        Assert.Contains("data-missing=\"0\"", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"missing\"", dom, StringComparison.Ordinal);

        // A small msgs/s and bytes/s chart per peer, with the samples taken so far.
        foreach (var peer in new[] { "pg2", "pg3" })
        {
            Assert.Matches($"class=\"spark\" data-remote=\"{peer}\" data-chart=\"msgs\" data-samples=\"[1-9][0-9]*\"", dom);
            Assert.Matches($"class=\"spark\" data-remote=\"{peer}\" data-chart=\"bytes\" data-samples=\"[1-9][0-9]*\"", dom);
        }
    }

    /// <summary>
    /// pg1 routes to pg2 and pg3, which do not route to each other: pg1's page reads both peers'
    /// /routez and draws the missing route between them as such.
    /// </summary>
    [Fact]
    public async Task Page_RouteMissingBetweenTwoPeers_DrawnAsMissing()
    {
        var chromium = FindChromium();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec { Size = 3, NamePrefix = "mp", AdjustNode = (i, node) => i == 0 ? node : node with { Routes = node.Routes.Take(1).ToList() } },
            timeout.Token);
        await Wait.Until(
            async () => (await MonitorEndpoints.RoutezAsync(cluster[0], cancellationToken: timeout.Token)).RemoteIds.Count == 2
                && (await MonitorEndpoints.RoutezAsync(cluster[1], cancellationToken: timeout.Token)).RemoteIds.Count == 1
                && (await MonitorEndpoints.RoutezAsync(cluster[2], cancellationToken: timeout.Token)).RemoteIds.Count == 1,
            TimeSpan.FromSeconds(30),
            "mp1 routed to mp2 and mp3, which route only to mp1");

        var dom = await DumpDomAsync(chromium, cluster[0].MonitorUrl + "/", timeout.Token);

        Assert.Matches(TicksAttribute(), dom);
        Assert.Contains("class=\"missing\" data-between=\"mp2 mp3\"", dom, StringComparison.Ordinal);
        Assert.Contains("data-missing=\"1\"", dom, StringComparison.Ordinal);
        foreach (var peer in new[] { "mp2", "mp3" })
        {
            Assert.Contains($"class=\"link\" data-remote=\"{peer}\"", dom, StringComparison.Ordinal);
        }
    }

    /// <summary>In a super-cluster the page lists the gateway connections, outbound and inbound, by cluster.</summary>
    [Fact]
    public async Task Page_SuperCluster_ListsGatewayConnections()
    {
        var chromium = FindChromium();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var super = await SuperCluster.StartAsync([NodeProgram.Modular], [NodeProgram.Modular], cancellationToken: timeout.Token);
        await super.WaitGatewaysAsync(timeout.Token);

        var dom = await DumpDomAsync(chromium, super.A[0].MonitorUrl + "/", timeout.Token);

        Assert.Matches(TicksAttribute(), dom);
        Assert.Contains("(this cluster: A)", dom, StringComparison.Ordinal);
        Assert.Contains("class=\"gateway\" data-cluster=\"B\" data-dir=\"out\"", dom, StringComparison.Ordinal);
        Assert.Contains("class=\"gateway\" data-cluster=\"B\" data-dir=\"in\"", dom, StringComparison.Ordinal);
    }

    /// <summary>Debian's chromium, or fails saying how to get it (the README's test command installs it).</summary>
    internal static string FindChromium()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable(ChromiumVariable), "/usr/bin/chromium", "/usr/bin/chromium-browser" };
        var found = candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c));
        Assert.True(
            found is not null,
            "headless Chromium is needed for the monitoring page test and was not found at /usr/bin/chromium: "
            + "install Debian's package (apt-get install -y chromium; scripts/test.sh does this when it is missing) or set " + ChromiumVariable);
        return found!;
    }

    internal static async Task<string> DumpDomAsync(string chromium, string url, CancellationToken cancellationToken)
    {
        var profile = Directory.CreateTempSubdirectory("modular-chromium-").FullName;
        try
        {
            var startInfo = new ProcessStartInfo(chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                "--virtual-time-budget=5000", "--dump-dom", url,
            })
            {
                startInfo.ArgumentList.Add(arg);
            }

            using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start " + chromium);
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("chromium --dump-dom did not finish within 60s: " + await stderr);
            }

            var dom = await stdout;
            Assert.True(process.ExitCode == 0 && dom.Length > 0, $"chromium exited {process.ExitCode}: {await stderr}");
            return dom;
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    [GeneratedRegex("data-ticks=\"[1-9][0-9]*\"")]
    private static partial Regex TicksAttribute();
}
