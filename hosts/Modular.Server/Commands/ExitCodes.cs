namespace Modular.Server.Commands;

/// <summary>The exit codes of every command (DESIGN.md §4).</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Something failed at run time (a port in use, a crash).</summary>
    public const int RuntimeFailure = 1;

    /// <summary>A bad configuration or bad command-line usage.</summary>
    public const int BadConfigOrUsage = 2;
}
