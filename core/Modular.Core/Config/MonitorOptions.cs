namespace Modular.Core.Config;

/// <summary>The <c>[monitor]</c> table: where HTTP monitoring listens, or nowhere.</summary>
public sealed class MonitorOptions
{
    /// <summary>Null turns monitoring off.</summary>
    public string? Host { get; set; }

    public int Port { get; set; }

    public bool Enabled => Host is not null;
}
