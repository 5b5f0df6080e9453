namespace Modular.Server.Commands;

/// <summary>
/// <c>modular passwd [--cost N]</c>: reads a password without echo (twice, to catch a typo) and
/// prints its bcrypt hash, for <c>[cluster.auth] password</c> or the users of <c>[accounts.*]</c>.
/// With stdin redirected it reads one line and asks nothing.
/// </summary>
internal static class PasswdCommand
{
    public const int DefaultCost = 11;
    private const int MinCost = 4;
    private const int MaxCost = 31;

    public static int Execute(IReadOnlyList<string> args)
    {
        var cost = DefaultCost;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? value = null;
            if (arg == "--cost")
            {
                if (i + 1 >= args.Count)
                {
                    Cli.Fail("passwd: --cost needs a number");
                    return ExitCodes.BadConfigOrUsage;
                }

                value = args[++i];
            }
            else if (arg.StartsWith("--cost=", StringComparison.Ordinal))
            {
                value = arg["--cost=".Length..];
            }
            else if (arg is "-h" or "--help")
            {
                Console.Out.WriteLine($"usage: modular passwd [--cost N]   read a password without echo and print its bcrypt hash (cost {MinCost}..{MaxCost}, default {DefaultCost})");
                return ExitCodes.Ok;
            }
            else
            {
                Cli.Fail($"passwd: unexpected argument \"{arg}\" (usage: modular passwd [--cost N])");
                return ExitCodes.BadConfigOrUsage;
            }

            if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out cost) || cost is < MinCost or > MaxCost)
            {
                Cli.Fail($"passwd: --cost must be a whole number from {MinCost} to {MaxCost} (each step doubles the work), got \"{value}\"");
                return ExitCodes.BadConfigOrUsage;
            }
        }

        string? password;
        if (Console.IsInputRedirected)
        {
            password = Console.In.ReadLine();
        }
        else
        {
            password = ReadHidden("Password: ");
            if (password is not null && password.Length > 0 && ReadHidden("Reenter password: ") != password)
            {
                Cli.Fail("passwd: the two passwords differ");
                return ExitCodes.BadConfigOrUsage;
            }
        }

        if (string.IsNullOrEmpty(password))
        {
            Cli.Fail("passwd: no password given");
            return ExitCodes.BadConfigOrUsage;
        }

        if (password.Length > 72)
        {
            Console.Error.WriteLine("warning: bcrypt uses only the first 72 bytes of a password");
        }

        Console.Out.WriteLine(BCrypt.Net.BCrypt.HashPassword(password, cost));
        return ExitCodes.Ok;
    }

    /// <summary>Reads a line from the terminal without showing it; the prompt goes to stderr so stdout holds only the hash.</summary>
    private static string? ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (key.Key == ConsoleKey.C && key.Modifiers.HasFlag(ConsoleModifiers.Control))
            {
                Console.Error.WriteLine();
                return null;
            }
            else if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }
}
