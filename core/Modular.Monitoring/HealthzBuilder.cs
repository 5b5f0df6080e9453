using Modular.Monitoring.Models;

namespace Modular.Monitoring;

/// <summary>
/// Builds <c>/healthz</c>: 200 <c>{"status":"ok"}</c> while the server accepts clients, else 500 with
/// <c>status</c> "error" and the reason, which names lame duck mode when that is why (in <c>errors</c> with <c>details=true</c>). Route
/// connectivity is not part of health. Compact JSON, as nats-server writes it.
/// </summary>
public static class HealthzBuilder
{
    public const string NotReadyError = "server is not ready for client connections";

    public const string LameDuckError = "server is in lame duck mode: not accepting new client connections";

    public static MonitorResponse Handle(IMonitoredServer server, MonitorRequest request)
    {
        // nats-server decodes these even though only details changes anything here; bad values are 400.
        MonitorQuery.Bool(request.Query, "js-enabled");
        MonitorQuery.Bool(request.Query, "js-enabled-only");
        MonitorQuery.Bool(request.Query, "js-server-only");
        MonitorQuery.Bool(request.Query, "js-meta-only");
        bool details = MonitorQuery.Bool(request.Query, "details");
        (int status, HealthStatus health) = Build(server, details);
        return MonitorResponse.Json(health, status, indented: false);
    }

    public static (int StatusCode, HealthStatus Health) Build(IMonitoredServer server, bool details)
    {
        if (server.IsAcceptingClients)
        {
            return (200, new HealthStatus { Status = "ok" });
        }

        var health = new HealthStatus { Status = "error" };
        var error = server.IsLameDuck ? LameDuckError : NotReadyError;
        if (details)
        {
            health.Errors = [new HealthzError { Type = "CONNECTION", Error = error }];
        }
        else
        {
            health.Error = error;
        }

        return (500, health);
    }
}
