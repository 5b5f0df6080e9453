using Modular.Core.Config;

namespace Modular.Server.Commands;

/// <summary>How commands talk to the terminal: errors are single lines on stderr.</summary>
internal static class Cli
{
    /// <summary>Writes "modular: {message}" to stderr, flattened to one line.</summary>
    public static void Fail(string message) => Console.Error.WriteLine("modular: " + OneLine(message));

    public static void PrintErrors(ConfigException exception)
    {
        foreach (var error in exception.Errors)
        {
            Console.Error.WriteLine(OneLine(error.ToString()));
        }
    }

    public static void PrintWarnings(ModularOptions options)
    {
        foreach (var warning in options.Warnings)
        {
            Console.Error.WriteLine("warning: " + OneLine(warning.ToString()));
        }
    }

    public static string OneLine(string text) =>
        text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal)
            ? string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : text;
}
