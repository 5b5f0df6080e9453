using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Modular.Testing;

/// <summary>
/// The one raw wire client of the tests: a socket that speaks the NATS text protocols by hand, as a
/// client (<c>RawConnection.Client.cs</c>) or as a route peer (<c>RawConnection.Route.cs</c>), in the
/// style of nats-server's test/test.go: send bytes as given, expect a line matching a pattern within
/// a deadline. It reads lines and payloads with deadlines, can answer the other side's PINGs by
/// itself, and keeps a transcript of every byte received (CR and LF shown as \r and \n) for
/// assertion messages.
/// </summary>
public sealed partial class RawConnection : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StringBuilder _transcript = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _closed;

    private RawConnection(TcpClient tcp, string label)
    {
        _tcp = tcp;
        _tcp.NoDelay = true;
        _stream = tcp.GetStream();
        Label = label;
    }

    /// <summary>Who this is, for messages ("route peer FAKE1", "client on n1").</summary>
    public string Label { get; }

    /// <summary>When true, a received <c>PING</c> line is answered with <c>PONG</c> and not returned by the read methods.</summary>
    public bool AnswerPings { get; set; }

    public bool IsClosed => _closed;

    public string Transcript
    {
        get
        {
            lock (_transcript)
            {
                return _transcript.ToString();
            }
        }
    }

    /// <summary>
    /// Connects to 127.0.0.1:<paramref name="port"/>, retrying refused connections until
    /// <paramref name="retryFor"/> has passed. A small <paramref name="receiveBufferSize"/> makes the
    /// kernel buffer little, for a reader that never reads.
    /// </summary>
    public static async Task<RawConnection> ConnectAsync(int port, string label, TimeSpan? retryFor = null, int? receiveBufferSize = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var limit = retryFor ?? DefaultTimeout;
        while (true)
        {
            var tcp = new TcpClient();
            if (receiveBufferSize is { } size)
            {
                tcp.ReceiveBufferSize = size;
            }

            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(DefaultTimeout);
                await tcp.ConnectAsync("127.0.0.1", port, attempt.Token).ConfigureAwait(false);
                return new RawConnection(tcp, label);
            }
            catch (SocketException) when (clock.Elapsed < limit)
            {
                tcp.Dispose();
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                tcp.Dispose();
                throw;
            }
        }
    }

    public Task SendAsync(string text, CancellationToken cancellationToken = default) =>
        SendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(DefaultTimeout);
        await _sendLock.WaitAsync(deadline.Token).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, deadline.Token).ConfigureAwait(false);
            await _stream.FlushAsync(deadline.Token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends, returning false instead of throwing when the other side already closed.</summary>
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

    /// <summary>The next line without CRLF, or null when the other side closed. Throws <see cref="TimeoutException"/> at the deadline.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
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
                if (AnswerPings && line == "PING")
                {
                    await TrySendAsync("PONG\r\n", cancellationToken).ConfigureAwait(false);
                    continue;
                }

                return line;
            }

            if (!await FillAsync(deadline.Token, limit, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes, or null when the other side closed first.</summary>
    public async Task<byte[]?> ReadBytesAsync(int count, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        while (_end - _start < count)
        {
            if (!await FillAsync(deadline.Token, limit, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }

        var bytes = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        return bytes;
    }

    /// <summary>The next line must match <paramref name="pattern"/>.</summary>
    public async Task<Match> ExpectLineAsync(string pattern, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var line = await ReadLineOrExplainAsync(pattern, timeout ?? DefaultTimeout, cancellationToken).ConfigureAwait(false);
        var match = Regex.Match(line, pattern);
        return match.Success
            ? match
            : throw new RawProtocolMismatchException($"{Label}: expected a line matching /{pattern}/, got \"{Escape(line)}\"; received so far: {Transcript}");
    }

    /// <summary>Skips lines until one matches <paramref name="pattern"/>; returns the match and what was skipped.</summary>
    public async Task<(Match Match, IReadOnlyList<string> Skipped)> WaitForLineAsync(string pattern, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        var skipped = new List<string>();
        while (true)
        {
            var left = limit - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new RawProtocolMismatchException($"{Label}: no line matching /{pattern}/ within {limit.TotalSeconds:0.##}s; received: {Transcript}");
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
    /// Sends PING and returns every line received before the answering PONG. The other side handles
    /// input in order, so whatever it queued before reading this PING comes back first.
    /// </summary>
    public async Task<IReadOnlyList<string>> PingAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await SendAsync("PING\r\n", cancellationToken).ConfigureAwait(false);
        var (_, before) = await WaitForLineAsync("^PONG$", timeout, cancellationToken).ConfigureAwait(false);
        return before;
    }

    /// <summary>
    /// Reads one message frame: <c>MSG</c>/<c>RMSG</c> (size last) or <c>HMSG</c> (header size then
    /// total size last) and its payload. Lines matching <paramref name="skip"/> (e.g. INFO) are skipped.
    /// </summary>
    public async Task<RawFrame> ReadFrameAsync(TimeSpan? timeout = null, string? skip = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var left = limit - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new RawProtocolMismatchException($"{Label}: no message frame within {limit.TotalSeconds:0.##}s; received: {Transcript}");
            }

            var line = await ReadLineOrExplainAsync("a message frame", left, cancellationToken).ConfigureAwait(false);
            if (skip is not null && Regex.IsMatch(line, skip))
            {
                continue;
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || fields[0] is not ("MSG" or "RMSG" or "HMSG")
                || !int.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                throw new RawProtocolMismatchException($"{Label}: expected MSG, RMSG or HMSG, got \"{Escape(line)}\"; received so far: {Transcript}");
            }

            var payload = await ReadBytesAsync(size + 2, left, cancellationToken).ConfigureAwait(false)
                ?? throw new RawProtocolMismatchException($"{Label}: closed inside a payload of \"{Escape(line)}\"; received: {Transcript}");
            if (payload[size] != (byte)'\r' || payload[size + 1] != (byte)'\n')
            {
                throw new RawProtocolMismatchException($"{Label}: payload of \"{Escape(line)}\" not followed by CRLF; received: {Transcript}");
            }

            return new RawFrame(line, fields[0], fields[1..], Encoding.UTF8.GetString(payload, 0, size));
        }
    }

    /// <summary>Reads until the other side closes; true if it closed within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            while (!_closed)
            {
                _start = _end = 0;
                if (!await FillAsync(deadline.Token, limit, cancellationToken).ConfigureAwait(false))
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

    private async Task<string> ReadLineOrExplainAsync(string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadLineAsync(timeout, cancellationToken).ConfigureAwait(false)
                ?? throw new RawProtocolMismatchException($"{Label}: connection closed while waiting for {what}; received: {Transcript}");
        }
        catch (TimeoutException)
        {
            throw new RawProtocolMismatchException($"{Label}: nothing matching {what} within {timeout.TotalSeconds:0.##}s; received: {Transcript}");
        }
    }

    private async Task<bool> FillAsync(CancellationToken deadline, TimeSpan timeout, CancellationToken outer)
    {
        if (_closed)
        {
            return false;
        }

        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        int read;
        try
        {
            read = await _stream.ReadAsync(_buffer.AsMemory(_end), deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!outer.IsCancellationRequested)
        {
            throw new TimeoutException($"{Label}: nothing more received within {timeout.TotalSeconds:0.##}s; received: {Transcript}");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            _closed = true;
            AppendTranscript("<reset>");
            return false;
        }

        if (read == 0)
        {
            _closed = true;
            AppendTranscript("<closed>");
            return false;
        }

        if (_transcript.Length < 256 * 1024)
        {
            AppendTranscript(Escape(Encoding.UTF8.GetString(_buffer, _end, read)));
        }

        _end += read;
        return true;
    }

    private void AppendTranscript(string text)
    {
        lock (_transcript)
        {
            _transcript.Append(text);
        }
    }

    public static string Escape(string text) =>
        text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public ValueTask DisposeAsync()
    {
        _closed = true;
        _tcp.Dispose();
        _sendLock.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>One message frame: the control line, its verb and arguments, and the payload (headers included for HMSG).</summary>
public sealed record RawFrame(string Line, string Verb, string[] Args, string Payload);

/// <summary>The bytes on a raw connection were not what a test expected; the message carries the transcript.</summary>
public sealed class RawProtocolMismatchException(string message) : Exception(message);
