namespace Modular.Testing;

/// <summary>The node's process exited or never served its ports.</summary>
public sealed class NodeDidNotStartException(string message) : Exception(message);
