using Modular.Server.Commands;

namespace Modular.Server;

/// <summary>The <c>modular</c> command: a small dispatcher over one class per command (DESIGN.md §4).</summary>
public static class Program
{
    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static async Task<int> Main(string[] args)
    {
        // Socket completions run on the epoll thread instead of hopping to the thread pool: one
        // thread wake-up less per message each way, which is what request/reply latency is made of
        // (measured with the shared bench: p50 and p99 at parity with nats-server, 16 B throughput up).
        // Must be set before the first socket exists; an explicit setting by the user wins.
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }

        try
        {
            return await DispatchAsync(args).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Cli.Fail($"unexpected failure: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }
    }

    private static Task<int> DispatchAsync(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.Write(Usage.Text);
            return Task.FromResult(ExitCodes.BadConfigOrUsage);
        }

        var command = args[0];
        var rest = args[1..];
        switch (command)
        {
            case "run":
                return RunCommand.ExecuteAsync(rest);
            case "check":
                return CheckCommand.ExecuteAsync(rest);
            case "plugins":
                return Task.FromResult(PluginsCommand.Execute(rest));
            case "help" or "-h" or "--help":
                Console.Out.Write(Usage.Text);
                return Task.FromResult(ExitCodes.Ok);
            case "--version" or "version":
                Console.Out.WriteLine($"modular {Usage.Version} commit {Usage.Commit} (NATS protocol of nats-server {Core.Server.NatsServer.ServerVersion})");
                return Task.FromResult(ExitCodes.Ok);
            case "ldm":
                return LameDuckCommand.ExecuteAsync(rest);
            case "cluster":
                return ClusterCommand.ExecuteAsync(rest);
            case "up":
                return UpCommand.ExecuteAsync(rest);
            case "reload":
                return ReloadCommand.ExecuteAsync(rest);
            case "passwd":
                return Task.FromResult(PasswdCommand.Execute(rest));
            default:
                Cli.Fail($"unknown command \"{command}\" (try: modular help)");
                return Task.FromResult(ExitCodes.BadConfigOrUsage);
        }
    }
}
