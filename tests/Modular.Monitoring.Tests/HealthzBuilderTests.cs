using System.Text;
using Modular.Monitoring;

namespace Modular.Monitoring.Tests;

public class HealthzBuilderTests
{
    [Fact]
    public void Handle_Accepting_OkCompact()
    {
        MonitorResponse r = HealthzBuilder.Handle(new FakeMonitoredServer(), MonitorRequest.Get("/healthz"));
        Assert.Equal(200, r.StatusCode);
        Assert.Equal("application/json", r.ContentType);
        Assert.Equal("{\"status\":\"ok\"}", Encoding.UTF8.GetString(r.Body));
    }

    [Fact]
    public void Handle_NotAccepting_500WithError()
    {
        MonitorResponse r = HealthzBuilder.Handle(new FakeMonitoredServer { IsAcceptingClients = false }, MonitorRequest.Get("/healthz"));
        Assert.Equal(500, r.StatusCode);
        Assert.Equal($"{{\"status\":\"error\",\"error\":\"{HealthzBuilder.NotReadyError}\"}}", Encoding.UTF8.GetString(r.Body));
    }

    [Fact]
    public void Handle_NotAcceptingWithDetails_ErrorsArray()
    {
        MonitorResponse r = HealthzBuilder.Handle(new FakeMonitoredServer { IsAcceptingClients = false }, MonitorRequest.Get("/healthz?details=true"));
        Assert.Equal(500, r.StatusCode);
        Assert.Equal(
            $"{{\"status\":\"error\",\"errors\":[{{\"type\":\"CONNECTION\",\"error\":\"{HealthzBuilder.NotReadyError}\"}}]}}",
            Encoding.UTF8.GetString(r.Body));
    }

    [Fact]
    public void Handle_BadBool_BadRequest() =>
        Assert.Throws<MonitorBadRequestException>(() => HealthzBuilder.Handle(new FakeMonitoredServer(), MonitorRequest.Get("/healthz?js-enabled-only=nah")));
}
