using System.Net.Http.Json;
using System.Text.Json;

namespace Modular.Soak;

/// <summary>One node's figures at one time: from /proc (RSS, threads, open handles) and /varz (messages).</summary>
public sealed record NodeSample(double RssMiB, int Threads, int Handles, long InMsgs, long OutMsgs, int Routes, long Subscriptions)
{
    public static async Task<NodeSample> TakeAsync(SoakNode node, HttpClient http, CancellationToken ct)
    {
        var status = await File.ReadAllLinesAsync($"/proc/{node.Pid}/status", ct);
        long Field(string name) => long.Parse(status.First(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Split(' ', '\t').Where(p => p.Length > 0).ElementAt(1));
        var handles = Directory.GetFileSystemEntries($"/proc/{node.Pid}/fd").Length;
        using var varz = await http.GetFromJsonAsync<JsonDocument>(node.MonitorUrl + "/varz", ct)
            ?? throw new InvalidOperationException("empty /varz");
        var root = varz.RootElement;
        long Number(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : -1;
        return new NodeSample(Field("VmRSS") / 1024.0, (int)Field("Threads"), handles, Number("in_msgs"), Number("out_msgs"), (int)Number("routes"), Number("subscriptions"));
    }
}
