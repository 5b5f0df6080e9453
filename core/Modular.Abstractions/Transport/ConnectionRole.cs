namespace Modular.Abstractions.Transport;

/// <summary>Which side of a connection we are: the one that accepted it or the one that dialed it.</summary>
public enum ConnectionRole
{
    Accepted,
    Dialed,
}
