using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Modular.Monitoring.Tests.Prometheus;

/// <summary>A minimal NATS client over a socket: CONNECT, raw protocol lines out, lines in.</summary>
internal sealed class WireClient : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private WireClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    public static async Task<WireClient> ConnectAsync(IPEndPoint server, CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        await client.ConnectAsync(server, cancellationToken);
        var wire = new WireClient(client);
        var info = await wire.ReadLineAsync(cancellationToken);
        if (!info.StartsWith("INFO ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("expected INFO, got " + info);
        }

        await wire.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\n", cancellationToken);
        return wire;
    }

    public async Task SendAsync(string text, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken);

    /// <summary>Sends PING and reads until PONG: everything sent before has been processed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendAsync("PING\r\n", cancellationToken);
        while (await ReadLineAsync(cancellationToken) != "PONG")
        {
        }
    }

    public async Task<string> ReadLineAsync(CancellationToken cancellationToken) =>
        await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("the server closed the connection");

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
