using System.Net.Sockets;
using System.Text;

namespace Modular.Plugins.Tests.Harness;

/// <summary>A raw protocol connection (client or route port) that sends text and reads lines.</summary>
public sealed class LineClient : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly StreamReader _reader;
    private readonly Stream _stream;

    private LineClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    public static async Task<LineClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        return new LineClient(client);
    }

    public Task SendAsync(string text) => _stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    /// <summary>The next line, or null when the connection closed or nothing came within 5 s.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            return await _reader.ReadLineAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads lines until one starts with one of <paramref name="prefixes"/> (skipping PINGs and INFOs); null if none came.</summary>
    public async Task<string?> ReadUntilAsync(params string[] prefixes)
    {
        while (await ReadLineAsync() is { } line)
        {
            if (prefixes.Any(p => line.StartsWith(p, StringComparison.Ordinal)))
            {
                return line;
            }
        }

        return null;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
