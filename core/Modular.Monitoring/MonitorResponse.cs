using System.Text;

namespace Modular.Monitoring;

/// <summary>What a monitoring handler answers: a status, a content type and the body bytes.</summary>
public sealed record MonitorResponse(int StatusCode, string ContentType, byte[] Body)
{
    public const string JsonContentType = "application/json";
    public const string JavaScriptContentType = "application/javascript";
    public const string TextContentType = "text/plain; charset=utf-8";
    public const string HtmlContentType = "text/html; charset=utf-8";

    public bool IsJson => ContentType == JsonContentType;

    /// <summary>A document serialized as nats-server does (pretty-printed unless <paramref name="indented"/> is false).</summary>
    public static MonitorResponse Json<T>(T value, int statusCode = 200, bool indented = true) =>
        new(statusCode, JsonContentType, MonitorJson.Serialize(value, indented));

    public static MonitorResponse Text(int statusCode, string text) => new(statusCode, TextContentType, Encoding.UTF8.GetBytes(text));

    public static MonitorResponse Html(string html) => new(200, HtmlContentType, Encoding.UTF8.GetBytes(html));

    /// <summary>The 404 body Go's http.NotFound writes.</summary>
    public static MonitorResponse NotFound() => Text(404, "404 page not found\n");

    public static MonitorResponse BadRequest(string message) => Text(400, message);
}
