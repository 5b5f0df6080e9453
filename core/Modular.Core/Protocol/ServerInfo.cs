using System.Buffers;
using System.Text.Json;

namespace Modular.Core.Protocol;

/// <summary>The fields of the INFO a server sends to clients, and their JSON in nats-server's key order.</summary>
public sealed class ServerInfo
{
    public required string ServerId { get; init; }

    public required string ServerName { get; init; }

    public required string Version { get; init; }

    public string Go { get; init; } = "modular/.NET " + Environment.Version;

    public required string Host { get; init; }

    public required int Port { get; init; }

    public bool Headers { get; init; } = true;

    public bool AuthRequired { get; init; }

    /// <summary>Clients must upgrade to TLS ([server.tls]).</summary>
    public bool TlsRequired { get; init; }

    public required int MaxPayload { get; init; }

    public string? Cluster { get; init; }

    public IReadOnlyList<string>? ConnectUrls { get; init; }

    /// <summary>The version of the server's connect URL set <see cref="ConnectUrls"/> was read at (not sent).</summary>
    public long ConnectUrlsVersion { get; init; }

    /// <summary>
    /// The whole <c>INFO {...}\r\n</c> line for one client connection; <paramref name="lameDuck"/> adds
    /// <c>"ldm":true</c> (the server is in lame duck mode and the client should move).
    /// </summary>
    public byte[] ToClientInfoLine(ulong clientId, string? clientIp, bool connectInfo = false, string? remoteAccount = null, bool lameDuck = false)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write(ProtocolTokens.InfoPrefix);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("server_id", ServerId);
            json.WriteString("server_name", ServerName);
            json.WriteString("version", Version);
            json.WriteNumber("proto", 1);
            json.WriteString("go", Go);
            json.WriteString("host", Host);
            json.WriteNumber("port", Port);
            json.WriteBoolean("headers", Headers);
            if (AuthRequired)
            {
                json.WriteBoolean("auth_required", true);
            }

            if (TlsRequired)
            {
                json.WriteBoolean("tls_required", true);
            }

            json.WriteNumber("max_payload", MaxPayload);
            json.WriteNumber("client_id", clientId);
            if (clientIp is not null)
            {
                json.WriteString("client_ip", clientIp);
            }

            if (Cluster is not null)
            {
                json.WriteString("cluster", Cluster);
            }

            if (ConnectUrls is { Count: > 0 })
            {
                json.WriteStartArray("connect_urls");
                foreach (var url in ConnectUrls)
                {
                    json.WriteStringValue(url);
                }

                json.WriteEndArray();
            }

            if (lameDuck)
            {
                json.WriteBoolean("ldm", true);
            }

            if (connectInfo)
            {
                json.WriteBoolean("connect_info", true);
                if (remoteAccount is not null)
                {
                    json.WriteString("remote_account", remoteAccount);
                }
            }

            json.WriteEndObject();
        }

        buffer.Write(ProtocolTokens.Crlf);
        return buffer.WrittenSpan.ToArray();
    }
}
