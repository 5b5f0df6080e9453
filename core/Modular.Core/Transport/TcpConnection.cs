using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Modular.Abstractions.Transport;

namespace Modular.Core.Transport;

/// <summary>
/// A TCP socket as a duplex pipe. Reads and writes go straight to the socket through stream-backed
/// pipe adapters: no extra copy loop, and FlushAsync completes when the kernel took the bytes,
/// which is what the write deadline measures.
/// </summary>
internal sealed class TcpConnection : ModularConnection
{
    private const int ReadBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private int _aborted;

    public TcpConnection(Socket socket)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        RemoteEndPoint = socket.RemoteEndPoint;
        LocalEndPoint = socket.LocalEndPoint;
        var input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: 4096, leaveOpen: true));
        var output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: ReadBufferSize, leaveOpen: true));
        Transport = new DuplexPipe(input, output);
    }

    public override IDuplexPipe Transport { get; set; }

    public override EndPoint? RemoteEndPoint { get; }

    public override EndPoint? LocalEndPoint { get; }

    public override void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }

            _socket.Close();
        }
    }

    public override bool TryShutdownSend()
    {
        if (Volatile.Read(ref _aborted) != 0)
        {
            return false;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public override ValueTask DisposeAsync()
    {
        Abort();
        _stream.Dispose();
        return ValueTask.CompletedTask;
    }
}
