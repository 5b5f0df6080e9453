using System.Diagnostics;

namespace Modular.Testing;

/// <summary>
/// The one-shot runner: one <c>modular</c> command (check, plugins, passwd, cluster check, a run that
/// must fail) run to its end, with its exit code and output. Long-running servers are <see cref="HostProcess"/>es.
/// </summary>
public static class ModularCli
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string[] StdOutLines => SplitLines(StdOut);

        public string[] StdErrLines => SplitLines(StdErr);

        public override string ToString() => $"exit {ExitCode}\n--- stdout:\n{StdOut}\n--- stderr:\n{StdErr}";

        private static string[] SplitLines(string text) =>
            text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static Task<Result> RunAsync(TimeSpan timeout, params string[] args) => RunAsync(args, workingDirectory: null, timeout);

    public static Task<Result> RunAsync(string workingDirectory, params string[] args) => RunAsync(args, workingDirectory, DefaultTimeout);

    /// <summary>Runs <c>modular ARGS</c>, writing <paramref name="stdin"/> (if any) to its input, and waits for it to end.</summary>
    public static async Task<Result> RunAsync(IReadOnlyList<string> args, string? workingDirectory, TimeSpan timeout, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = HostProcess.StartInfoFor(NodeProgram.Modular, args, workingDirectory, environment);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        }

        // End of input: a command that reads it (passwd) sees EOF instead of waiting.
        process.StandardInput.Close();

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"modular {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0}s");
        }

        return new Result(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
