namespace Modular.Core.Config;

/// <summary>The <c>[log]</c> table.</summary>
public sealed class LogOptions
{
    /// <summary>Serilog minimum level: verbose, debug, info, warning, error, fatal (the loader maps "information" and "warn" to these).</summary>
    public string Level { get; set; } = "info";

    /// <summary>A file to write to; null writes to the console. A relative path is relative to the configuration file's folder.</summary>
    public string? File { get; set; }

    /// <summary>"text" or "json".</summary>
    public string Format { get; set; } = "text";
}
