using System.IO.Pipelines;

namespace Modular.Plugins.Tls;

/// <summary>The pipe a TLS connection's protocol reads and writes: plaintext over the SSL stream.</summary>
internal sealed class TlsDuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
