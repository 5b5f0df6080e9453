namespace CustomAuthPlugin;

/// <summary>
/// A users file: one user per line, <c>user password [account]</c>, separated by spaces or tabs;
/// blank lines and lines starting with <c>#</c> are skipped. Users without an account land in the
/// global account.
/// </summary>
public sealed class UsersFile
{
    private UsersFile(IReadOnlyDictionary<string, UserEntry> users) => Users = users;

    public IReadOnlyDictionary<string, UserEntry> Users { get; }

    /// <summary>Reads the file; every bad line is reported as "FILE:LINE: problem".</summary>
    public static UsersFile Parse(string path, IEnumerable<string> lines, List<string> problems)
    {
        var users = new Dictionary<string, UserEntry>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length is < 2 or > 3)
            {
                problems.Add($"{path}:{number}: expected \"user password [account]\", got {fields.Length} field(s)");
                continue;
            }

            if (!users.TryAdd(fields[0], new UserEntry(fields[0], fields[1], fields.Length == 3 ? fields[2] : null)))
            {
                problems.Add($"{path}:{number}: user \"{fields[0]}\" is listed twice");
            }
        }

        return new UsersFile(users);
    }
}

/// <summary>One line of a users file.</summary>
public sealed record UserEntry(string User, string Password, string? Account);
