using System.Text.Json;

namespace Modular.Testing;

/// <summary>
/// Reads a server's client INFO on a raw connection: the first one, the async ones that follow (a
/// protocol-1 client past its first PONG gets them when connect_urls change or in lame duck mode),
/// and their <c>connect_urls</c>. Works against modular and nats-server alike.
/// </summary>
public static class ClientInfoReader
{
    private const string InfoPattern = @"^INFO\s+(\{.*\})\s*$";

    /// <summary>The next line, which must be an INFO, as JSON.</summary>
    public static async Task<JsonElement> ReadInfoAsync(RawConnection raw, CancellationToken cancellationToken = default)
    {
        var match = await raw.ExpectLineAsync(InfoPattern, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Parse(match.Groups[1].Value);
    }

    /// <summary>
    /// Skips lines (PINGs are answered when <see cref="RawConnection.AnswerPings"/> is on) and INFOs
    /// that do not satisfy <paramref name="wanted"/> until one does; at the deadline throws
    /// <see cref="RawProtocolMismatchException"/> with the transcript.
    /// </summary>
    public static async Task<JsonElement> WaitForInfoAsync(RawConnection raw, Func<JsonElement, bool> wanted, string what, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new RawProtocolMismatchException($"{raw.Label}: no INFO {what} within {timeout.TotalSeconds:0}s; received: {raw.Transcript}");
            }

            var (match, _) = await raw.WaitForLineAsync(InfoPattern, left, cancellationToken).ConfigureAwait(false);
            var info = Parse(match.Groups[1].Value);
            if (wanted(info))
            {
                return info;
            }
        }
    }

    /// <summary>Waits for an INFO whose connect_urls are exactly <paramref name="urls"/> (in any order).</summary>
    public static Task<JsonElement> WaitForConnectUrlsAsync(RawConnection raw, IEnumerable<string> urls, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var expected = urls.Order(StringComparer.Ordinal).ToList();
        return WaitForInfoAsync(raw, info => SortedConnectUrls(info).SequenceEqual(expected), $"with connect_urls [{string.Join(", ", expected)}]", timeout, cancellationToken);
    }

    /// <summary><c>connect_urls</c>, in the server's order; empty when the key is absent.</summary>
    public static IReadOnlyList<string> ConnectUrls(JsonElement info) =>
        info.TryGetProperty("connect_urls", out var urls) ? urls.EnumerateArray().Select(u => u.GetString()!).ToList() : [];

    /// <summary>The same, sorted, for comparing sets.</summary>
    public static IReadOnlyList<string> SortedConnectUrls(JsonElement info) => ConnectUrls(info).Order(StringComparer.Ordinal).ToList();

    public static bool IsLameDuck(JsonElement info) => info.TryGetProperty("ldm", out var ldm) && ldm.GetBoolean();

    /// <summary>
    /// A raw client on 127.0.0.1:<paramref name="port"/> that says protocol 1 and got its first PONG,
    /// so it is sent async INFO from now on; returns it with the INFO it got on connecting.
    /// </summary>
    public static async Task<(RawConnection Connection, JsonElement Info)> ConnectAsyncInfoClientAsync(int port, CancellationToken cancellationToken = default)
    {
        var raw = await RawConnection.ConnectAsync(port, $"protocol-1 client on :{port}", cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            raw.AnswerPings = true;
            var info = await ReadInfoAsync(raw, cancellationToken).ConfigureAwait(false);
            await raw.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\nPING\r\n", cancellationToken).ConfigureAwait(false);
            await raw.ExpectLineAsync("^PONG$", cancellationToken: cancellationToken).ConfigureAwait(false);
            return (raw, info);
        }
        catch
        {
            await raw.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
