using System.IO.Pipelines;
using System.Net;
using System.Text;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Transport;
using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Examples;

/// <summary>examples/DeflateCompression ("deflate"), loaded through the real loader from its built folder.</summary>
public sealed class DeflateCompressionPluginTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static string Toml(string settings = "") => $"""
        plugins = [{PluginFolders.Toml(PluginFolders.DeflateCompression)}]

        [cluster]
        listen = "127.0.0.1:0"

        [cluster.compression]
        use = "deflate"
        {settings}
        """;

    [Fact]
    public async Task Negotiate_DeflatePeer_Deflates_AnyOtherModeFallsBackToOff()
    {
        var (catalog, composition, _) = Compose.Configure(_scratch, Toml());
        using (catalog)
        {
            await using (composition)
            {
                var provider = composition.Seams.Compression!;
                Assert.Equal("deflate", provider.AdvertisedMode);
                Assert.Equal("deflate", provider.Negotiate("deflate", null));
                foreach (var other in new[] { "accept", "off", "s2_fast", "s2_auto", "zstd" })
                {
                    Assert.Equal("off", provider.Negotiate(other, null));
                }

                Assert.True(provider.Compresses("deflate"));
                Assert.False(provider.Compresses("off"));
                Assert.False(provider.Compresses("s2_fast"));
                Assert.Equal("deflate", provider.NegotiationMode("deflate"));
            }
        }
    }

    [Fact]
    public async Task Wrap_TwoEnds_CarryBytesBothWays_AndPublishCompressionCounts()
    {
        var (catalog, composition, _) = Compose.Configure(_scratch, Toml("level = \"smallest\""));
        using (catalog)
        {
            await using (composition)
            {
                var provider = composition.Seams.Compression!;
                var (left, right) = MemoryConnection.Pair();
                provider.Wrap(left, "deflate");
                provider.Wrap(right, "deflate");
                var text = string.Concat(Enumerable.Repeat("RMSG $G deflate.test 100\r\n", 200));

                await left.Transport.Output.WriteAsync(Encoding.ASCII.GetBytes(text));
                Assert.Equal(text, await ReadTextAsync(right.Transport.Input, text.Length));
                await right.Transport.Output.WriteAsync(Encoding.ASCII.GetBytes("PONG\r\n"));
                Assert.Equal("PONG\r\n", await ReadTextAsync(left.Transport.Input, 6));

                var sent = left.Features.Get<ICompressionFeature>()!;
                var received = right.Features.Get<ICompressionFeature>()!;
                Assert.Equal("deflate", sent.Mode);
                Assert.Equal(text.Length, sent.BytesOutUncompressed);
                Assert.InRange(sent.BytesOutCompressed, 1, text.Length / 10);
                Assert.Equal(sent.BytesOutCompressed, received.BytesInCompressed);
                Assert.Equal(text.Length, received.BytesInUncompressed);
            }
        }
    }

    [Fact]
    public void Configure_UnknownLevel_NamesTheChoices()
    {
        var error = Assert.Single(Compose.Errors(_scratch, Toml("level = \"max\"")));

        Assert.EndsWith("modular.toml:8: cluster.compression.level: expected one of fastest, optimal, smallest, got \"max\"", error, StringComparison.Ordinal);
    }

    private static async Task<string> ReadTextAsync(PipeReader input, int length)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var result = await input.ReadAsync(timeout.Token);
            if (result.Buffer.Length >= length || result.IsCompleted)
            {
                var text = Encoding.ASCII.GetString(result.Buffer.Slice(0, Math.Min(length, result.Buffer.Length)));
                input.AdvanceTo(result.Buffer.GetPosition(Math.Min(length, result.Buffer.Length)));
                return text;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>Two connected ends over in-memory pipes.</summary>
    private sealed class MemoryConnection(IDuplexPipe transport) : ModularConnection
    {
        public override IDuplexPipe Transport { get; set; } = transport;

        public override EndPoint? RemoteEndPoint => null;

        public override EndPoint? LocalEndPoint => null;

        public static (MemoryConnection Left, MemoryConnection Right) Pair()
        {
            var toRight = new Pipe();
            var toLeft = new Pipe();
            return (new MemoryConnection(new Duplex(toLeft.Reader, toRight.Writer)), new MemoryConnection(new Duplex(toRight.Reader, toLeft.Writer)));
        }

        public override void Abort()
        {
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
        {
            public PipeReader Input => input;

            public PipeWriter Output => output;
        }
    }
}
