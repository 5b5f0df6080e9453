using System.Globalization;

namespace Modular.Core.Config;

/// <summary>
/// One problem in a configuration file: where it is and what is wrong. <see cref="ToString"/> gives
/// the one line a user sees, e.g. <c>n1.toml:12: server.max_payload: expected a size like 1048576 or "1MB", got "lots"</c>.
/// </summary>
/// <param name="File">The file as the user named it.</param>
/// <param name="Line">1-based line; 0 when the problem has no line (e.g. the file cannot be read).</param>
/// <param name="Key">The dotted key, e.g. "server.max_payload" or "accounts.A.users[0].user"; empty for syntax errors.</param>
/// <param name="Message">What is wrong, in words a user can act on.</param>
public sealed record ConfigError(string File, int Line, string Key, string Message)
{
    public override string ToString()
    {
        var where = Line > 0 ? File + ":" + Line.ToString(CultureInfo.InvariantCulture) : File;
        return Key.Length > 0 ? $"{where}: {Key}: {Message}" : $"{where}: {Message}";
    }
}
