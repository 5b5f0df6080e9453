namespace Modular.Abstractions.Discovery;

/// <summary>A peer that could be told about a newly joined one.</summary>
public sealed record GossipTarget(string ServerId, string? ServerName, PeerOrigin Origin);
