using System.IO.Pipelines;
using System.Net;
using Modular.Abstractions.Plugins;
using Modular.Abstractions.Transport;

namespace Modular.Plugins.Tls.Tests;

/// <summary>Two connected in-memory connections, as a dialer and an acceptor would hold them.</summary>
internal sealed class PipeConnection : ModularConnection
{
    public PipeConnection(IDuplexPipe transport, EndPoint remote)
    {
        Transport = transport;
        RemoteEndPoint = remote;
    }

    public override IDuplexPipe Transport { get; set; }

    public override EndPoint? RemoteEndPoint { get; }

    public override EndPoint? LocalEndPoint => null;

    public override void Abort()
    {
        Transport.Input.CancelPendingRead();
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>(dialer, acceptor): the dialer's remote end point is 127.0.0.1:<paramref name="port"/>.</summary>
    public static (PipeConnection Dialer, PipeConnection Acceptor) Pair(int port = 6222)
    {
        var toAcceptor = new Pipe();
        var toDialer = new Pipe();
        return (
            new PipeConnection(new Duplex(toDialer.Reader, toAcceptor.Writer), new IPEndPoint(IPAddress.Loopback, port)),
            new PipeConnection(new Duplex(toAcceptor.Reader, toDialer.Writer), new IPEndPoint(IPAddress.Loopback, 50000)));
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

/// <summary>Builds a configured plugin from settings, as the host would.</summary>
internal static class TlsPlugins
{
    public static (TlsPlugin Plugin, PluginSettings Settings) Configure(string table, Dictionary<string, object> values, IReadOnlyList<Uri>? routes = null, string? directory = null)
    {
        var settings = new PluginSettings(table, values.ToDictionary(p => p.Key, p => new PluginSetting(p.Value, 1)), 1);
        var context = new PluginContext
        {
            PluginName = "tls",
            TableName = table,
            Settings = settings,
            ConfigFile = "test.toml",
            ConfigDirectory = directory ?? Environment.CurrentDirectory,
            ClusterRoutes = routes ?? [],
        };
        var plugin = new TlsPlugin();
        plugin.Configure(context);
        return (plugin, settings);
    }

    public static Dictionary<string, object> Files(Testing.Secure.TlsFiles files, bool verify = true) => new()
    {
        ["cert_file"] = files.Cert,
        ["key_file"] = files.Key,
        ["ca_file"] = files.Ca,
        ["verify"] = verify,
        ["timeout"] = "5s",
    };

    public static async Task<string> RoundTripAsync(ModularConnection from, ModularConnection to, string text)
    {
        await from.Transport.Output.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text));
        var received = new System.Text.StringBuilder();
        while (received.Length < text.Length)
        {
            var result = await to.Transport.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            foreach (var segment in result.Buffer)
            {
                received.Append(System.Text.Encoding.ASCII.GetString(segment.Span));
            }

            to.Transport.Input.AdvanceTo(result.Buffer.End);
        }

        return received.ToString();
    }
}
