using System.Diagnostics;
using System.Text.RegularExpressions;
using Modular.Testing;

namespace Modular.Cluster.Tests.Operations;

/// <summary><c>modular up -n 3</c>: a local full mesh from one command, stopped by Ctrl-C.</summary>
public sealed partial class UpCommandTests
{
    [Fact]
    public async Task Up3_FormsFullMesh_PassesClusterCheck_CtrlCStopsAll()
    {
        var lines = new List<string>();
        using var process = HostProcess.Start(NodeProgram.Modular, ["up", "-n", "3"], workingDirectory: null, line =>
        {
            lock (lines)
            {
                lines.Add(line);
            }
        });
        string Output()
        {
            lock (lines)
            {
                return string.Join("\n", lines);
            }
        }

        try
        {
            await Wait.Until(() => MonitorUrl().Matches(Output()).Count == 3, TimeSpan.FromSeconds(30), "three monitor URLs printed by modular up");
            var monitors = MonitorUrl().Matches(Output()).Select(m => m.Groups[1].Value).ToList();

            // Every server routes to the two others (read from its own /routez).
            await Wait.Until(
                async () =>
                {
                    foreach (var monitor in monitors)
                    {
                        var routez = await OpsMonitoring.JsonAsync(monitor + "/routez");
                        var peers = routez.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("remote_name").GetString()).Distinct().Count();
                        if (peers != 2)
                        {
                            return false;
                        }
                    }

                    return true;
                },
                TimeSpan.FromSeconds(30),
                "the full mesh of modular up");
            await Wait.Until(() => Output().Contains("full mesh: every server routes to the other 2", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the full-mesh line");

            var check = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), ["cluster", "check", "--monitor", .. monitors]);
            Assert.True(check.ExitCode == 0, check + Output());
            Assert.Contains("cluster up: 3 servers", check.StdOut, StringComparison.Ordinal);

            // Ctrl-C. A background job of a non-interactive shell starts with SIGINT ignored (and so
            // does everything it starts); then SIGTERM, which takes the same path, stands in.
            var signal = Signals.Ignores(process.Id, Signals.Interrupt) ? Signals.Terminate : Signals.Interrupt;
            Signals.Send(process.Id, signal);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(exit.Token);
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{Output()}");
            Assert.Contains("modular up: stopped", Output(), StringComparison.Ordinal);
            foreach (var monitor in monitors)
            {
                await Assert.ThrowsAnyAsync<HttpRequestException>(() => OpsMonitoring.GetAsync(monitor + "/varz"));
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task UpTwoClusters_FormsSuperCluster_MessagesCrossTheGateway()
    {
        var lines = new List<string>();
        using var process = HostProcess.Start(NodeProgram.Modular, ["up", "-n", "2", "--clusters", "2"], workingDirectory: null, line =>
        {
            lock (lines)
            {
                lines.Add(line);
            }
        });
        string Output()
        {
            lock (lines)
            {
                return string.Join("\n", lines);
            }
        }

        try
        {
            await Wait.Until(() => Output().Contains("modular up: super-cluster: every server routes to the other 1 of its cluster and has a gateway to each of the other 1 clusters", StringComparison.Ordinal), TimeSpan.FromSeconds(40), "the super-cluster line\n" + Output());
            var clients = ClientUrl().Matches(Output()).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await using var publisher = new NATS.Client.Core.NatsConnection(new NATS.Client.Core.NatsOpts { Url = clients["a1"] });
            await using var subscriber = new NATS.Client.Core.NatsConnection(new NATS.Client.Core.NatsOpts { Url = clients["b2"] });
            await Propagation.AwaitInterestAsync(publisher, subscriber, timeout.Token);

            var signal = Signals.Ignores(process.Id, Signals.Interrupt) ? Signals.Terminate : Signals.Interrupt;
            Signals.Send(process.Id, signal);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(exit.Token);
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{Output()}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [GeneratedRegex(@"monitor (http://127\.0\.0\.1:\d+)")]
    private static partial Regex MonitorUrl();

    [GeneratedRegex(@"^(\w+): clients (nats://127\.0\.0\.1:\d+)", RegexOptions.Multiline)]
    private static partial Regex ClientUrl();
}
