using System.Text.Json.Serialization;
using Modular.Monitoring.Models;

namespace Modular.Monitoring;

/// <summary>Source-generated serialization metadata for the monitoring documents.</summary>
[JsonSerializable(typeof(Varz))]
[JsonSerializable(typeof(Connz))]
[JsonSerializable(typeof(Subsz))]
[JsonSerializable(typeof(Accountz))]
[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class MonitorJsonContext : JsonSerializerContext
{
}
