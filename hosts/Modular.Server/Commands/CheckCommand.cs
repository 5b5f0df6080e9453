using Modular.Core.Config;

namespace Modular.Server.Commands;

/// <summary><c>modular check -c FILE</c>: load and validate a configuration; no side effects.</summary>
internal static class CheckCommand
{
    public static int Execute(IReadOnlyList<string> args)
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

        Cli.PrintWarnings(options);
        Console.Out.WriteLine($"configuration OK: {path}");
        return ExitCodes.Ok;
    }
}
