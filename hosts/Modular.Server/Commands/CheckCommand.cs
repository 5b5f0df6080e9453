using Modular.Core.Config;

namespace Modular.Server.Commands;

/// <summary>
/// <c>modular check -c FILE</c>: load and validate a configuration, load its plugins and configure
/// them (which binds and validates their settings) without starting anything; no side effects.
/// </summary>
internal static class CheckCommand
{
    public static async Task<int> ExecuteAsync(IReadOnlyList<string> args)
    {
        var arguments = CommandArguments.Parse("check", args);
        if (arguments is null)
        {
            return ExitCodes.BadConfigOrUsage;
        }

        if (arguments.Help)
        {
            Console.Out.Write(Usage.Text);
            return ExitCodes.Ok;
        }

        if (arguments.ConfigPath is not { } path)
        {
            Cli.Fail("check: missing -c FILE");
            return ExitCodes.BadConfigOrUsage;
        }

        ModularOptions options;
        try
        {
            options = ConfigLoader.Load(path);
        }
        catch (ConfigException ex)
        {
            Cli.PrintErrors(ex);
            return ExitCodes.BadConfigOrUsage;
        }

        using var catalog = PluginSetup.TryLoad(options, loggerFactory: null, out var plugins);
        if (catalog is null || plugins is null)
        {
            return ExitCodes.BadConfigOrUsage;
        }

        // Configured, never started: stopping only lets each instance clean up what Configure made.
        await plugins.StopAsync().ConfigureAwait(false);
        Cli.PrintWarnings(options);
        Console.Out.WriteLine($"configuration OK: {path}");
        foreach (var instance in plugins.Instances)
        {
            Console.Out.WriteLine($"  [{instance.Kind.TableName}] {instance.Kind.Role}: plugin {instance.Descriptor.Name} {instance.Descriptor.Version}");
        }

        return ExitCodes.Ok;
    }
}
