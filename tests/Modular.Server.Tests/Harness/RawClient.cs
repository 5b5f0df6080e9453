using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Modular.Server.Tests.Harness;

/// <summary>
/// A client that speaks the wire protocol by hand over a socket, for protocol tests: it reads the
/// server INFO, sends bytes as given, reads lines with a deadline, and keeps a transcript of
/// everything received so a failing assertion can show the exact wire bytes.
/// </summary>
public sealed class RawClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpClient _tcp;
    private NetworkStream? _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly StringBuilder _transcript = new();
    private int _start;
    private int _end;
    private bool _closed;

    private RawClient(TcpClient tcp)
    {
        _tcp = tcp;
    }

    private NetworkStream Stream => _stream ??= _tcp.GetStream();

    /// <summary>The JSON text of the INFO the server greeted us with.</summary>
    public string InfoJson { get; private set; } = "";

    /// <summary>True once the server closed (or reset) the connection.</summary>
    public bool IsClosed => _closed;

    /// <summary>Every byte received so far, with CR and LF shown as \r and \n.</summary>
    public string Transcript => _transcript.ToString();

    /// <summary>Connects and reads the INFO line.</summary>
    /// <param name="receiveBufferSize">Set a small value to make the kernel buffer little for a client that never reads.</param>
    public static async Task<RawClient> ConnectAsync(Node server, CancellationToken cancellationToken = default, int? receiveBufferSize = null)
    {
        var tcp = new TcpClient { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            tcp.ReceiveBufferSize = size;
        }

        var client = new RawClient(tcp);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(DefaultTimeout);
            await tcp.ConnectAsync("127.0.0.1", server.ClientPort, deadline.Token).ConfigureAwait(false);
            var info = await client.ReadLineAsync(DefaultTimeout, cancellationToken).ConfigureAwait(false)
                ?? throw new IOException($"closed before INFO; received: {client.Transcript}");
            if (!info.StartsWith("INFO ", StringComparison.Ordinal))
            {
                throw new IOException($"expected INFO first, got: {client.Transcript}");
            }

            client.InfoJson = info["INFO ".Length..].TrimStart();
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connects, sends CONNECT with <paramref name="connectJson"/> and a PING, and waits for the PONG (skipping +OK).</summary>
    public static async Task<RawClient> ConnectAndHandshakeAsync(Node server, string connectJson = """{"verbose":false,"pedantic":false}""", CancellationToken cancellationToken = default)
    {
        var client = await ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.SendAsync($"CONNECT {connectJson}\r\nPING\r\n", cancellationToken).ConfigureAwait(false);
            await client.WaitForLineAsync("^PONG$", DefaultTimeout, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public JsonDocument ParseInfo() => JsonDocument.Parse(InfoJson);

    public Task SendAsync(string text, CancellationToken cancellationToken = default) =>
        SendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(DefaultTimeout);
        await Stream.WriteAsync(bytes, deadline.Token).ConfigureAwait(false);
        await Stream.FlushAsync(deadline.Token).ConfigureAwait(false);
    }

    /// <summary>Sends, ignoring a connection the server already closed (for tests where the server may close mid-send).</summary>
    public async Task<bool> TrySendAsync(string text, CancellationToken cancellationToken = default)
    {
        try
        {
            await SendAsync(text, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>The next line without its CRLF, or null when the server closed first. Throws <see cref="TimeoutException"/> at the deadline.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == (byte)'\r')
                {
                    length--;
                }

                var line = Encoding.UTF8.GetString(_buffer, _start, length);
                _start = newline + 1;
                return line;
            }

            if (!await FillAsync(deadline.Token, timeout, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (a payload), or null when the server closed first.</summary>
    public async Task<byte[]?> ReadBytesAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (_end - _start < count)
        {
            if (!await FillAsync(deadline.Token, timeout, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }

        var bytes = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        return bytes;
    }

    /// <summary>The next line must match <paramref name="pattern"/>; returns the match.</summary>
    public async Task<Match> ExpectLineAsync(string pattern, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var line = await ReadLineOrExplainAsync(pattern, timeout ?? DefaultTimeout, cancellationToken).ConfigureAwait(false);
        var match = Regex.Match(line, pattern);
        return match.Success
            ? match
            : throw new RawProtocolException($"expected a line matching /{pattern}/, got \"{Escape(line)}\"; received so far: {Transcript}");
    }

    /// <summary>Skips lines until one matches <paramref name="pattern"/>; returns the match and the lines skipped.</summary>
    public async Task<(Match Match, IReadOnlyList<string> Skipped)> WaitForLineAsync(string pattern, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var until = DateTime.UtcNow + limit;
        var skipped = new List<string>();
        while (true)
        {
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new RawProtocolException($"no line matching /{pattern}/ within {limit.TotalSeconds:0.##}s; received: {Transcript}");
            }

            var line = await ReadLineOrExplainAsync(pattern, left, cancellationToken).ConfigureAwait(false);
            var match = Regex.Match(line, pattern);
            if (match.Success)
            {
                return (match, skipped);
            }

            skipped.Add(line);
        }
    }

    /// <summary>
    /// Reads (and discards) until the server closes the connection. True if it closed within
    /// <paramref name="timeout"/>, false if it was still open at the deadline.
    /// </summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (!_closed)
            {
                _start = _end = 0;
                if (!await FillAsync(deadline.Token, timeout, cancellationToken, keepTranscript: _transcript.Length < 64 * 1024).ConfigureAwait(false))
                {
                    return true;
                }
            }

            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Reads one <c>MSG subject sid [reply] size</c> frame with its payload.</summary>
    public async Task<RawMessage> ReadMsgAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var match = await ExpectLineAsync(@"^MSG\s+(\S+)\s+(\S+)\s+(?:(\S+)\s+)?(\d+)$", limit, cancellationToken).ConfigureAwait(false);
        var size = int.Parse(match.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture);
        var payload = await ReadBytesAsync(size + 2, limit, cancellationToken).ConfigureAwait(false)
            ?? throw new RawProtocolException($"closed inside a MSG payload; received: {Transcript}");
        if (payload[size] != (byte)'\r' || payload[size + 1] != (byte)'\n')
        {
            throw new RawProtocolException($"MSG payload of {size} bytes not followed by CRLF; received: {Transcript}");
        }

        return new RawMessage(
            match.Groups[1].Value,
            match.Groups[2].Value,
            match.Groups[3].Success ? match.Groups[3].Value : null,
            Encoding.UTF8.GetString(payload, 0, size));
    }

    private async Task<string> ReadLineOrExplainAsync(string pattern, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadLineAsync(timeout, cancellationToken).ConfigureAwait(false)
                ?? throw new RawProtocolException($"connection closed while waiting for /{pattern}/; received: {Transcript}");
        }
        catch (TimeoutException)
        {
            throw new RawProtocolException($"no line matching /{pattern}/ within {timeout.TotalSeconds:0.##}s; received: {Transcript}");
        }
    }

    /// <summary>Reads more bytes into the buffer; false when the peer closed or reset the connection.</summary>
    private async Task<bool> FillAsync(CancellationToken deadline, TimeSpan timeout, CancellationToken outer, bool keepTranscript = true)
    {
        if (_closed)
        {
            return false;
        }

        if (_start > 0 && _start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
            if (_end == _buffer.Length)
            {
                throw new RawProtocolException($"a line longer than {_buffer.Length} bytes; received: {Transcript}");
            }
        }

        int read;
        try
        {
            read = await Stream.ReadAsync(_buffer.AsMemory(_end), deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!outer.IsCancellationRequested)
        {
            throw new TimeoutException($"nothing more received within {timeout.TotalSeconds:0.##}s; received: {Transcript}");
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            _closed = true;
            _transcript.Append("<reset>");
            return false;
        }

        if (read == 0)
        {
            _closed = true;
            _transcript.Append("<closed>");
            return false;
        }

        if (keepTranscript)
        {
            _transcript.Append(Escape(Encoding.UTF8.GetString(_buffer, _end, read)));
        }

        _end += read;
        return true;
    }

    private static string Escape(string text) =>
        text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public ValueTask DisposeAsync()
    {
        _closed = true;
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>One MSG frame as read by <see cref="RawClient"/>.</summary>
public sealed record RawMessage(string Subject, string Sid, string? ReplyTo, string Payload);

/// <summary>The server's bytes did not match what a raw protocol test expected; the message carries the transcript.</summary>
public sealed class RawProtocolException(string message) : Exception(message);
