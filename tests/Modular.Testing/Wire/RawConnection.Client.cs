using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Modular.Testing;

/// <summary>The client verbs: the server's greeting INFO, CONNECT with a PING round trip, MSG frames.</summary>
public sealed partial class RawConnection
{
    /// <summary>A current client's CONNECT: headers on, protocol 1 (async INFO), no +OK.</summary>
    public const string DefaultConnect = """{"verbose":false,"pedantic":false,"headers":true,"protocol":1}""";

    /// <summary>The least a CONNECT says: no headers, protocol 0 (no async INFO), no +OK.</summary>
    public const string MinimalConnect = """{"verbose":false,"pedantic":false}""";

    private const string InfoPattern = @"^INFO\s*(\{.*\})\s*$";

    /// <summary>The JSON of the INFO the server greeted with (or the last one <see cref="ExpectInfoAsync"/> read).</summary>
    public string InfoJson { get; private set; } = "";

    public JsonDocument ParseInfo() => JsonDocument.Parse(InfoJson);

    /// <summary>Connects to <paramref name="node"/>'s client port and reads the INFO that must come first.</summary>
    public static Task<RawConnection> OpenClientAsync(Node node, CancellationToken cancellationToken = default, int? receiveBufferSize = null) =>
        OpenClientAsync(node.ClientPort, $"raw client on {node.Name}", cancellationToken, receiveBufferSize);

    /// <summary>Connects to the client port <paramref name="port"/> and reads the INFO that must come first.</summary>
    public static async Task<RawConnection> OpenClientAsync(int port, string label, CancellationToken cancellationToken = default, int? receiveBufferSize = null)
    {
        var client = await ConnectAsync(port, label, receiveBufferSize: receiveBufferSize, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            await client.ExpectInfoAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A client past its handshake on <paramref name="node"/>: reads INFO, sends CONNECT with
    /// <paramref name="connectJson"/> and PING, and waits for the PONG (skipping +OK). With
    /// <paramref name="answerPings"/> the server's PINGs are answered and never returned.
    /// </summary>
    public static Task<RawConnection> ConnectClientAsync(Node node, string connectJson = DefaultConnect, bool answerPings = true, CancellationToken cancellationToken = default) =>
        ConnectClientAsync(node.ClientPort, $"raw client on {node.Name}", connectJson, answerPings, cancellationToken);

    /// <inheritdoc cref="ConnectClientAsync(Node, string, bool, CancellationToken)"/>
    public static async Task<RawConnection> ConnectClientAsync(int port, string label, string connectJson = DefaultConnect, bool answerPings = true, CancellationToken cancellationToken = default)
    {
        var client = await OpenClientAsync(port, label, cancellationToken).ConfigureAwait(false);
        try
        {
            client.AnswerPings = answerPings;
            await client.SendAsync($"CONNECT {connectJson}\r\nPING\r\n", cancellationToken).ConfigureAwait(false);
            await client.WaitForLineAsync("^PONG$", cancellationToken: cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The next line must be an INFO; keeps its JSON in <see cref="InfoJson"/>.</summary>
    public async Task<string> ExpectInfoAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var info = await ExpectLineAsync(InfoPattern, timeout, cancellationToken).ConfigureAwait(false);
        InfoJson = info.Groups[1].Value;
        return InfoJson;
    }

    /// <summary>The next line must be <c>MSG subject sid [reply] size</c>; reads it with its payload.</summary>
    public async Task<RawMessage> ReadMsgAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var match = await ExpectLineAsync(@"^MSG\s+(\S+)\s+(\S+)\s+(?:(\S+)\s+)?(\d+)$", limit, cancellationToken).ConfigureAwait(false);
        var size = int.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture);
        var payload = await ReadBytesAsync(size + 2, limit, cancellationToken).ConfigureAwait(false)
            ?? throw new RawProtocolMismatchException($"{Label}: closed inside a MSG payload; received: {Transcript}");
        if (payload[size] != (byte)'\r' || payload[size + 1] != (byte)'\n')
        {
            throw new RawProtocolMismatchException($"{Label}: MSG payload of {size} bytes not followed by CRLF; received: {Transcript}");
        }

        return new RawMessage(
            match.Groups[1].Value,
            match.Groups[2].Value,
            match.Groups[3].Success ? match.Groups[3].Value : null,
            Encoding.UTF8.GetString(payload, 0, size));
    }
}

/// <summary>One MSG frame as read by <see cref="RawConnection.ReadMsgAsync"/>.</summary>
public sealed record RawMessage(string Subject, string Sid, string? ReplyTo, string Payload);
