using System.IO.Compression;
using System.IO.Pipelines;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Transport;

namespace Modular.Examples.DeflateCompression;

/// <summary>
/// A route connection in Deflate: the output is one raw Deflate stream, sync-flushed on every flush
/// of the route's writer (so the peer can decode everything sent so far); the input inflates what
/// the peer sends. Nothing is read from the inner pipe until the first read, so the two directions
/// switch at different points, as the route handshake needs.
/// </summary>
public sealed class DeflateDuplexPipe : IDuplexPipe, ICompressionFeature
{
    private readonly CountingStream _plainOut;
    private readonly CountingStream _plainIn;
    private readonly DuplexPipeStream _wireOut;
    private readonly DuplexPipeStream _wireIn;

    public DeflateDuplexPipe(IDuplexPipe inner, CompressionLevel level)
    {
        // Completing Output or Input disposes its chain down to the inner pipe's side, as a plain pipe would close.
        _wireOut = new DuplexPipeStream(inner, FileAccess.Write);
        _wireIn = new DuplexPipeStream(inner, FileAccess.Read);
        _plainOut = new CountingStream(new DeflateStream(_wireOut, level));
        _plainIn = new CountingStream(new DeflateStream(_wireIn, CompressionMode.Decompress));
        Output = PipeWriter.Create(_plainOut);
        Input = PipeReader.Create(_plainIn);
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    /// <summary>Always deflate: the level is fixed by the setting, not by the RTT.</summary>
    public string Mode
    {
        get => DeflateCompressionPlugin.ModeName;
        set
        {
        }
    }

    public long BytesOutUncompressed => _plainOut.BytesWritten;

    public long BytesOutCompressed => _wireOut.BytesWritten;

    public long BytesInCompressed => _wireIn.BytesRead;

    public long BytesInUncompressed => _plainIn.BytesRead;
}
