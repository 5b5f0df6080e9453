using Modular.Server.Commands;

namespace Modular.Server;

/// <summary>The <c>modular</c> command: a small dispatcher over one class per command (DESIGN.md §4).</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
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
                return Task.FromResult(CheckCommand.Execute(rest));
            case "help" or "-h" or "--help":
                Console.Out.Write(Usage.Text);
                return Task.FromResult(ExitCodes.Ok);
            case "--version" or "version":
                Console.Out.WriteLine($"modular {Usage.Version} (NATS protocol of nats-server {Core.Server.NatsServer.ServerVersion})");
                return Task.FromResult(ExitCodes.Ok);
            case "up" or "passwd" or "plugins" or "cluster" or "ldm":
                Console.Error.WriteLine($"modular: not yet implemented: {command}");
                return Task.FromResult(ExitCodes.BadConfigOrUsage);
            default:
                Cli.Fail($"unknown command \"{command}\" (try: modular help)");
                return Task.FromResult(ExitCodes.BadConfigOrUsage);
        }
    }
}
