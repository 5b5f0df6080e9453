using System.Diagnostics;

namespace Modular.Testing;

/// <summary>
/// The process backend: <c>modular run -c FILE --ports_file_dir DIR</c> (or nats-server with the same
/// flags), ready once the process wrote its ports file and its client port answers INFO. Started
/// under <paramref name="launchPrefix"/> when given (e.g. <c>ip netns exec NAME</c>).
/// </summary>
internal sealed class ProcessRunner(NodeProgram program, string directory, OutputLog output, TimeSpan startTimeout, IReadOnlyList<string> launchPrefix) : INodeRunner
{
    private Process? _process;
    private int _runs;

    public bool IsRunning => _process is { HasExited: false };

    public Process Process => _process ?? throw new InvalidOperationException("the node was never started");

    public async Task<BoundPorts> StartAsync(string configPath, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            _process?.Dispose();
            output.Add($"(harness: run {++_runs}: {program.Label})");
            var process = HostProcess.Start(program, HostProcess.RunArguments(program, configPath, portsFileDir: directory), directory, output.Add, launchPrefix: launchPrefix);
            _process = process;
            var ports = await WaitReadyAsync(process, clock, cancellationToken).ConfigureAwait(false);
            if (ports is not null)
            {
                return ports;
            }

            // A restart on the ports of the previous run: a listener of the killed process may linger a moment.
            output.Add("(harness: port still busy, starting again)");
            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            await HostProcess.KillAsync(process).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
    }

    /// <summary>The bound ports once ready; null when the process died of a port clash and may try again.</summary>
    private async Task<BoundPorts?> WaitReadyAsync(Process process, Stopwatch clock, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                process.WaitForExit(); // let the output readers finish
                if (clock.Elapsed < startTimeout && LooksLikePortClash())
                {
                    return null;
                }

                throw new NodeDidNotStartException($"exited with code {process.ExitCode} before serving clients");
            }

            // Both programs write the file once every listener is bound and the server runs.
            if (HostProcess.TryReadPortsFile(directory, process.Id) is { } ports)
            {
                return ports;
            }

            if (clock.Elapsed > startTimeout)
            {
                throw new NodeDidNotStartException($"did not write its ports file and serve clients within {startTimeout.TotalSeconds:0}s");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool LooksLikePortClash() => HostProcess.LooksLikePortClash(output.Lines);
}
