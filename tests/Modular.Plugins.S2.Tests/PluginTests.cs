using System.IO.Pipelines;
using System.Net;
using System.Reflection;
using Modular.Abstractions.Compression;
using Modular.Abstractions.Transport;
using Modular.Abstractions.Plugins;
using Modular.Plugins.S2.Codec;
using Modular.Plugins.S2.Pipes;

namespace Modular.Plugins.S2.Tests;

/// <summary>The plugin: its declaration, settings (strict), nats-server's negotiation table and s2_auto.</summary>
public sealed class PluginTests
{
    private static (S2CompressionPlugin Plugin, PluginSettings Settings) Configure(params (string Key, object Value)[] values)
    {
        var settings = new PluginSettings(
            "cluster.compression",
            values.Select((v, i) => (v.Key, new PluginSetting(v.Value, i + 2))).ToDictionary(p => p.Key, p => p.Item2));
        var plugin = new S2CompressionPlugin();
        plugin.Configure(new PluginContext { PluginName = "s2", TableName = "cluster.compression", Settings = settings });
        return (plugin, settings);
    }

    private static S2CompressionPlugin Valid(params (string Key, object Value)[] values)
    {
        var (plugin, settings) = Configure(values);
        Assert.Empty(settings.Errors);
        Assert.Empty(settings.UnknownKeyErrors("s2"));
        return plugin;
    }

    [Fact]
    public void The_assembly_declares_plugin_s2_serving_compression()
    {
        var attribute = typeof(S2CompressionPlugin).Assembly.GetCustomAttribute<ModularPluginAttribute>();
        Assert.NotNull(attribute);
        Assert.Equal("s2", attribute.Name);
        Assert.Equal(ModularSeam.Compression, attribute.Seams);
        Assert.Equal(typeof(S2CompressionPlugin), attribute.PluginType);
        var plugin = Valid();
        Assert.Same(plugin, ((IModularPlugin)plugin).GetSeam<ICompressionProvider>());
    }

    [Theory]
    [InlineData(null, "accept")]
    [InlineData("accept", "accept")]
    [InlineData("ACCEPT", "accept")]
    [InlineData("true", "s2_fast")]
    [InlineData("On", "s2_fast")]
    [InlineData("enabled", "s2_fast")]
    [InlineData("fast", "s2_fast")]
    [InlineData("S2_Fast", "s2_fast")]
    [InlineData("false", "off")]
    [InlineData("off", "off")]
    [InlineData("Disabled", "off")]
    [InlineData("better", "s2_better")]
    [InlineData("s2_better", "s2_better")]
    [InlineData("best", "s2_best")]
    [InlineData("s2_best", "s2_best")]
    [InlineData("auto", "s2_auto")]
    [InlineData("s2_auto", "s2_auto")]
    [InlineData("not supported", "not supported")]
    [InlineData("not_supported", "not supported")]
    public void Mode_and_its_aliases(string? written, string mode)
    {
        var plugin = written is null ? Valid() : Valid(("mode", written));
        Assert.Equal(mode, plugin.Mode);
        Assert.Equal(mode, plugin.AdvertisedMode);
    }

    [Fact]
    public void Mode_as_a_boolean()
    {
        Assert.Equal("s2_fast", Valid(("mode", true)).Mode);
        Assert.Equal("off", Valid(("mode", false)).Mode);
    }

    [Theory]
    [InlineData("s2_uncompressed")]
    [InlineData("zstd")]
    [InlineData("")]
    public void Unknown_modes_are_errors_on_the_key(string written)
    {
        var (_, settings) = Configure(("mode", written));
        var error = Assert.Single(settings.Errors);
        Assert.Equal("cluster.compression.mode", error.Key);
        Assert.Equal(2, error.Line);
        Assert.Contains($"unsupported compression mode \"{written}\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mode_of_the_wrong_type_and_unknown_keys_are_errors()
    {
        var (_, settings) = Configure(("mode", 3L), ("rtt_tresholds", "x"));
        Assert.Contains("expected a string", Assert.Single(settings.Errors).Message, StringComparison.Ordinal);
        var unknown = Assert.Single(settings.UnknownKeyErrors("s2"));
        Assert.Contains("did you mean \"rtt_thresholds\"", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_thresholds_default_and_configured()
    {
        Assert.Equal([10, 50, 100], Valid(("mode", "auto")).RttThresholds.Select(t => t.TotalMilliseconds));
        Assert.Equal([5, 20], Valid(("mode", "s2_auto"), ("rtt_thresholds", new object[] { "5ms", "20ms" })).RttThresholds.Select(t => t.TotalMilliseconds));
        Assert.Equal([0, 0, 20], Valid(("mode", "auto"), ("thresholds", new object[] { "0", "-3ms", "20ms", "0s" })).RttThresholds.Select(t => t.TotalMilliseconds));
        Assert.Equal([1000, 2000, 3000, 4000], Valid(("mode", "auto"), ("rtts", new object[] { 1L, "2s", "3000ms", "1s3000ms" })).RttThresholds.Select(t => t.TotalMilliseconds));
        Assert.Equal([0.5, 1.5], Valid(("mode", "auto"), ("rtt", new object[] { "500us", "1.5ms" })).RttThresholds.Select(t => t.TotalMilliseconds));
    }

    [Theory]
    [InlineData("ascending order", "50ms", "10ms")]
    [InlineData("at most 4", "1ms", "2ms", "3ms", "4ms", "5ms")]
    [InlineData("at least one non-zero", "0", "0ms")]
    [InlineData("expected durations", "10 parsecs")]
    public void Bad_thresholds_are_errors(string message, params string[] values)
    {
        var (_, settings) = Configure(("mode", "auto"), ("rtt_thresholds", values.Cast<object>().ToArray()));
        var error = Assert.Single(settings.Errors);
        Assert.Equal("cluster.compression.rtt_thresholds", error.Key);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thresholds_need_mode_auto_a_list_and_one_spelling()
    {
        Assert.Contains("only to mode s2_auto", Assert.Single(Configure(("mode", "fast"), ("rtt_thresholds", new object[] { "1ms" })).Settings.Errors).Message, StringComparison.Ordinal);
        Assert.Contains("expected a list", Assert.Single(Configure(("mode", "auto"), ("rtt_thresholds", "10ms")).Settings.Errors).Message, StringComparison.Ordinal);
        Assert.Contains("already given", Assert.Single(Configure(("mode", "auto"), ("rtt_thresholds", new object[] { "1ms" }), ("rtts", new object[] { "1ms" })).Settings.Errors).Message, StringComparison.Ordinal);
    }

    // protocol.md §5.2: peer advertised (rows) x our mode (columns).
    [Theory]
    [InlineData(null, "accept", "not supported")]
    [InlineData("not supported", "accept", "not supported")]
    [InlineData(null, "s2_best", "not supported")]
    [InlineData("off", "accept", "off")]
    [InlineData("off", "s2_fast", "off")]
    [InlineData("accept", "accept", "off")]
    [InlineData("accept", "s2_better", "s2_better")]
    [InlineData("s2_auto", "accept", "s2_fast")]
    [InlineData("s2_auto", "s2_best", "s2_best")]
    [InlineData("s2_uncompressed", "accept", "s2_uncompressed")]
    [InlineData("s2_fast", "accept", "s2_fast")]
    [InlineData("s2_better", "accept", "s2_better")]
    [InlineData("s2_best", "accept", "s2_best")]
    [InlineData("s2_better", "s2_fast", "s2_fast")]
    [InlineData("s2_fast", "s2_better", "s2_better")]
    [InlineData("s2_fast", "off", "off")]
    [InlineData(null, "off", "not supported")]
    [InlineData("zstd", "off", "off")]
    public void Negotiation_table(string? peer, string ours, string chosen)
    {
        Assert.Equal(chosen, Valid(("mode", ours)).Negotiate(peer, null));
    }

    [Theory]
    [InlineData("accept")]
    [InlineData("s2_fast")]
    [InlineData("s2_auto")]
    public void An_unknown_peer_mode_is_a_protocol_violation_with_nats_servers_message(string ours)
    {
        var error = Assert.Throws<ProtocolViolationException>(() => Valid(("mode", ours)).Negotiate("lz4", null));
        Assert.Equal("unsupported route compression mode \"lz4\"", error.Message);
    }

    [Theory]
    [InlineData(0, "s2_uncompressed")]
    [InlineData(10, "s2_uncompressed")]
    [InlineData(11, "s2_fast")]
    [InlineData(50, "s2_fast")]
    [InlineData(100, "s2_better")]
    [InlineData(101, "s2_best")]
    [InlineData(5000, "s2_best")]
    public void Auto_picks_the_level_from_the_rtt(int ms, string level)
    {
        var plugin = Valid(("mode", "auto"));
        Assert.Equal(level, plugin.Negotiate("accept", TimeSpan.FromMilliseconds(ms)));
        Assert.Equal(level, plugin.Negotiate("s2_fast", TimeSpan.FromMilliseconds(ms)));
        Assert.Equal(level, plugin.LevelForRtt(TimeSpan.FromMilliseconds(ms)));
    }

    [Fact]
    public void Auto_with_fewer_thresholds_uses_the_last_defined_level_and_zero_disables_levels()
    {
        var two = Valid(("mode", "auto"), ("rtt_thresholds", new object[] { "5ms", "20ms" }));
        Assert.Equal("s2_fast", two.LevelForRtt(TimeSpan.FromMilliseconds(500)));
        var skipFirstTwo = Valid(("mode", "auto"), ("rtt_thresholds", new object[] { "0", "0", "20ms" }));
        Assert.Equal("s2_better", skipFirstTwo.LevelForRtt(TimeSpan.FromMilliseconds(3)));
        Assert.Equal("s2_better", skipFirstTwo.LevelForRtt(TimeSpan.FromMilliseconds(20)));
        Assert.Equal("s2_best", skipFirstTwo.LevelForRtt(TimeSpan.FromMilliseconds(21)));
        Assert.Null(Valid(("mode", "fast")).LevelForRtt(TimeSpan.FromMilliseconds(3)));
    }

    [Fact]
    public void Wrap_gives_an_s2_pipe_for_a_level_and_the_inner_pipe_for_no_compression()
    {
        var plugin = Valid(("mode", "fast"));
        var pipe = new Pipe();
        var inner = new Duplex(pipe.Reader, pipe.Writer);
        Assert.Same(inner, plugin.WrapPipe(inner, "off"));
        Assert.Same(inner, plugin.WrapPipe(inner, "not supported"));
        var wrapped = Assert.IsType<S2DuplexPipe>(plugin.WrapPipe(inner, "s2_better"));
        Assert.Equal("s2_better", wrapped.Mode);
        Assert.True(S2CompressionPlugin.TrySetLevel(wrapped, "s2_uncompressed"));
        Assert.Equal("s2_uncompressed", wrapped.Mode);
        Assert.False(S2CompressionPlugin.TrySetLevel(inner, "s2_fast"));
        Assert.False(S2CompressionPlugin.TrySetLevel(wrapped, "s2_auto"));
    }

    [Fact]
    public void Wrap_CompressingMode_ReplacesTransportAndPublishesCompressionFeature()
    {
        var plugin = Valid(("mode", "fast"));
        var pipe = new Pipe();
        var connection = new PipeConnection(new Duplex(pipe.Reader, pipe.Writer));

        plugin.Wrap(connection, "s2_better");

        var feature = connection.Features.Get<ICompressionFeature>();
        Assert.NotNull(feature);
        Assert.Same(connection.Transport, feature);
        Assert.Equal("s2_better", feature.Mode);
        feature.Mode = "s2_fast";
        Assert.Equal(S2Level.Fast, Assert.IsType<S2DuplexPipe>(connection.Transport).Level);
    }

    [Fact]
    public void Wrap_Off_LeavesTransportAndPublishesNothing()
    {
        var plugin = Valid(("mode", "fast"));
        var pipe = new Pipe();
        var inner = new Duplex(pipe.Reader, pipe.Writer);
        var connection = new PipeConnection(inner);

        plugin.Wrap(connection, "off");

        Assert.Same(inner, connection.Transport);
        Assert.Null(connection.Features.Get<ICompressionFeature>());
    }

    [Theory]
    [InlineData("s2_uncompressed", true)]
    [InlineData("s2_fast", true)]
    [InlineData("s2_better", true)]
    [InlineData("s2_best", true)]
    [InlineData("s2_auto", true)]
    [InlineData("off", false)]
    [InlineData("accept", false)]
    [InlineData("not supported", false)]
    [InlineData(null, false)]
    public void Compresses_Mode_SaysWhetherTheStreamSwitches(string? mode, bool expected) =>
        Assert.Equal(expected, Valid().Compresses(mode));

    [Fact]
    public void NegotiationMode_AutoSide_KeepsNamingAutoOthersNameTheChosenLevel()
    {
        Assert.Equal("s2_auto", Valid(("mode", "s2_auto")).NegotiationMode("s2_fast"));
        Assert.Equal("s2_better", Valid(("mode", "s2_best")).NegotiationMode("s2_better"));
        Assert.Equal("s2_fast", Valid(("mode", "accept")).NegotiationMode("s2_fast"));
    }

    private sealed class PipeConnection(IDuplexPipe transport) : ModularConnection
    {
        public override IDuplexPipe Transport { get; set; } = transport;

        public override System.Net.EndPoint? RemoteEndPoint => null;

        public override System.Net.EndPoint? LocalEndPoint => null;

        public override void Abort()
        {
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
