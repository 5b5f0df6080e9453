namespace Modular.Monitoring;

/// <summary>A bad query parameter; the monitoring server answers HTTP 400 with <see cref="Exception.Message"/> as plain text.</summary>
public sealed class MonitorBadRequestException : Exception
{
    public MonitorBadRequestException(string message)
        : base(message)
    {
    }
}
