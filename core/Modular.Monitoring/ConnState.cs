namespace Modular.Monitoring;

/// <summary>The <c>state</c> filter of /connz.</summary>
public enum ConnState
{
    /// <summary>"open" (the default).</summary>
    Open,

    /// <summary>"closed": recently closed connections.</summary>
    Closed,

    /// <summary>"any" or "all": both.</summary>
    Any,
}
