using System.IO.Compression;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Plugins;
using Modular.Abstractions.Settings;
using Modular.Abstractions.Transport;
using Modular.Examples.DeflateCompression;

[assembly: ModularPlugin("deflate", typeof(DeflateCompressionPlugin), ModularSeam.Compression)]

namespace Modular.Examples.DeflateCompression;

/// <summary>
/// Route compression with System.IO.Compression's Deflate, in a mode of its own ("deflate") that
/// only Modular nodes running this plugin speak. Against any other peer mode it settles on off, so
/// a route to a node with S2 or without compression simply stays plain. Setting: <c>level</c>
/// (fastest, optimal, smallest; default fastest).
/// </summary>
public sealed class DeflateCompressionPlugin : IModularPlugin, ICompressionProvider
{
    /// <summary>The mode this plugin advertises and writes in.</summary>
    public const string ModeName = "deflate";

    private const string Off = "off";

    public CompressionLevel Level { get; private set; } = CompressionLevel.Fastest;

    public string AdvertisedMode => ModeName;

    /// <summary>The settings of [cluster.compression] with this plugin, as data.</summary>
    public static SettingKey[] Keys { get; } =
    [
        new("level", SettingType.Choice, "fastest", "Deflate's effort: fastest, optimal or smallest"),
    ];

    public void Configure(PluginContext context)
    {
        context.Settings.Declare(Keys);
        Level = context.Settings.GetChoice("level", "fastest", "fastest", "optimal", "smallest") switch
        {
            "optimal" => CompressionLevel.Optimal,
            "smallest" => CompressionLevel.SmallestSize,
            _ => CompressionLevel.Fastest,
        };
    }

    /// <summary>Deflate when the peer advertises deflate too; off for any other mode (a peer that does not know ours).</summary>
    public string Negotiate(string? peerMode, TimeSpan? rtt) =>
        string.Equals(peerMode, ModeName, StringComparison.OrdinalIgnoreCase) ? ModeName : Off;

    public bool Compresses(string? mode) => string.Equals(mode, ModeName, StringComparison.OrdinalIgnoreCase);

    public void Wrap(ModularConnection connection, string mode)
    {
        if (!Compresses(mode))
        {
            return;
        }

        var pipe = new DeflateDuplexPipe(connection.Transport, Level);
        connection.Transport = pipe;
        connection.Features.Set<ICompressionFeature>(pipe);
    }
}
