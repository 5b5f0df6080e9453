namespace Modular.Core.Protocol;

/// <summary>The outcome of one parse attempt.</summary>
public enum ParseStatus
{
    /// <summary>Not a whole operation yet: read more bytes and try again.</summary>
    Incomplete,

    /// <summary>One whole operation was parsed and consumed.</summary>
    Complete,

    /// <summary>The input is not valid protocol; see the <see cref="ProtocolError"/>.</summary>
    Error,
}
