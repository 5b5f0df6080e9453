using Tomlyn.Parsing;

namespace Modular.Core.Config;

/// <summary>
/// Reads a broker configuration (DESIGN.md §3) from TOML into <see cref="ModularOptions"/>.
/// Strict: unknown keys, wrong types and bad values are errors, and every error in the file is
/// reported at once in a <see cref="ConfigException"/>, each with file, line and dotted key.
/// </summary>
public static class ConfigLoader
{
    /// <summary>
    /// Monitoring listens on loopback unless a <c>[monitor] listen</c> says otherwise: /connz shows
    /// client addresses and names, which not everyone who reaches the host should read.
    /// </summary>
    public const string DefaultMonitorHost = "127.0.0.1";

    public const int DefaultMonitorPort = 8222;

    /// <summary>Route connections per remote when pool_size is not set or 0 (nats-server's default).</summary>
    public const int DefaultPoolSize = 3;

    /// <summary>Routes never ping less often than this, whatever ping_interval says.</summary>
    public static readonly TimeSpan RoutePingIntervalCap = TimeSpan.FromSeconds(30);

    /// <summary>The options of <c>modular run</c> without a file: clients on 0.0.0.0:4222, monitoring on 127.0.0.1:8222.</summary>
    public static ModularOptions Defaults()
    {
        var options = new ModularOptions();
        options.Monitor.Host = DefaultMonitorHost;
        options.Monitor.Port = DefaultMonitorPort;
        return options;
    }

    /// <summary>Reads and binds the file at <paramref name="path"/>; errors name the path as given.</summary>
    /// <exception cref="ConfigException">The file cannot be read or is not a valid configuration.</exception>
    public static ModularOptions Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => ex.Message,
            };
            throw new ConfigException(new ConfigError(path, 0, "", "cannot read the configuration: " + reason));
        }

        var options = LoadFromString(text, path);
        options.SourceFile = Path.GetFullPath(path);
        options.SourceName = path;
        return options;
    }

    /// <summary>Binds TOML text; <paramref name="fileName"/> is used in error messages and as <see cref="ModularOptions.SourceFile"/>.</summary>
    /// <exception cref="ConfigException">The text is not a valid configuration.</exception>
    public static ModularOptions LoadFromString(string toml, string fileName)
    {
        Tomlyn.Syntax.DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(toml, fileName, validate: true);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Tomlyn (2.10.2) throws while wording its error for an escape cut off by the end of the
            // file (a string ending in a backslash): ConfigFuzzRegressionTests.
            var lastLine = toml.Length == 0 ? 1 : toml.Count(c => c == '\n') + (toml[^1] == '\n' ? 0 : 1);
            throw new ConfigException(new ConfigError(fileName, lastLine, "", "TOML syntax: the file ends inside an escape sequence of a string"));
        }
        catch (Tomlyn.TomlException ex)
        {
            // Tomlyn throws instead of reporting for arrays or tables nested deeper than 64: ConfigFuzzRegressionTests.
            throw new ConfigException(new ConfigError(fileName, 1, "", "TOML syntax: " + ex.Message));
        }

        if (document.HasErrors)
        {
            var syntaxErrors = new List<ConfigError>();
            foreach (var diagnostic in document.Diagnostics)
            {
                if (diagnostic.Kind != Tomlyn.Syntax.DiagnosticMessageKind.Error)
                {
                    continue;
                }

                // One mistake often cascades into several diagnostics on its line; the first says it best.
                var line = diagnostic.Span.Start.Line + 1;
                if (!syntaxErrors.Exists(e => e.Line == line))
                {
                    syntaxErrors.Add(new ConfigError(fileName, line, "", "TOML syntax: " + diagnostic.Message));
                }
            }

            throw new ConfigException(syntaxErrors.OrderBy(e => e.Line).ToList());
        }

        var root = TomlTreeReader.Read(document);
        var binder = new ConfigBinder(fileName);
        var options = binder.Bind(root);
        if (binder.Errors.Count > 0)
        {
            throw new ConfigException(binder.Errors.OrderBy(e => e.Line).ToList());
        }

        options.SourceFile = fileName;
        options.SourceName = fileName;
        options.Warnings.AddRange(binder.Warnings.OrderBy(e => e.Line));
        return options;
    }
}
