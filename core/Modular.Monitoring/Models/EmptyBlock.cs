namespace Modular.Monitoring.Models;

/// <summary>
/// A sub-block nats-server always prints but Modular has nothing for (gateway, leaf, mqtt, websocket,
/// jetstream): serialized as <c>{}</c>, so tools that expect the key find it.
/// </summary>
public sealed class EmptyBlock
{
}
