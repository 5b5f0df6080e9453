namespace Modular.Testing;

/// <summary>A running server whose HTTP monitoring a test reads (see <see cref="Monitoring"/>).</summary>
public interface IMonitoredNode
{
    string Name { get; }

    /// <summary>http://127.0.0.1:PORT of its monitoring listener.</summary>
    string MonitorUrl { get; }
}
