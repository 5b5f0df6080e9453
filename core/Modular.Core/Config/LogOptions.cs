namespace Modular.Core.Config;

/// <summary>The <c>[log]</c> table.</summary>
public sealed class LogOptions
{
    /// <summary>Serilog minimum level: verbose, debug, info, warning, error, fatal.</summary>
    public string Level { get; set; } = "info";

    /// <summary>A file to write to; null writes to the console.</summary>
    public string? File { get; set; }

    /// <summary>"text" or "json".</summary>
    public string Format { get; set; } = "text";
}
