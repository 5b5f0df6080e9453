namespace Modular.Core.Delivery;

/// <summary>A connection with bytes queued that a publisher asks to send once its read batch is done.</summary>
public interface IFlushTarget
{
    void SignalFlush();
}
