namespace Modular.Core.Config;

/// <summary>A configuration could not be used; <see cref="Errors"/> holds every problem found, in file order.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    public ConfigException(ConfigError error)
        : this(new[] { error })
    {
    }

    public IReadOnlyList<ConfigError> Errors { get; }

    private static string FormatMessage(IReadOnlyList<ConfigError> errors) => errors.Count switch
    {
        0 => "invalid configuration",
        1 => errors[0].ToString(),
        _ => $"{errors.Count} configuration errors:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}",
    };
}
