using System.Text;
using System.Text.Json;
using Modular.Testing;
using NATS.Client.Core;
using NATS.NKeys;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// A Modular leaf into a nats-server 2.10 hub in operator mode: operator, account and user JWTs minted
/// here (base64url JSON signed with ed25519), the account preloaded in a memory resolver. The leaf's
/// credentials file holds the user JWT and seed: its CONNECT carries the JWT and the signed nonce, and
/// the hub binds the connection to the JWT's account.
/// </summary>
public sealed class LeafOperatorJwtTests
{
    [Fact]
    public async Task CredentialsWithUserJwt_OperatorModeHub_BoundToTheJwtsAccount_BothWays()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        using var op = KeyPair.CreatePair(PrefixByte.Operator);
        using var account = KeyPair.CreatePair(PrefixByte.Account);
        using var leafUser = KeyPair.CreatePair(PrefixByte.User);
        using var hubUser = KeyPair.CreatePair(PrefixByte.User);
        var dir = Directory.CreateTempSubdirectory("modular-leafjwt-").FullName;
        var operatorJwt = Jwt(op, op.GetPublicKey(), "op", new { type = "operator", version = 2 });
        var accountJwt = Jwt(op, account.GetPublicKey(), "acc", new
        {
            type = "account",
            version = 2,
            limits = new { subs = -1, data = -1, payload = -1, imports = -1, exports = -1, wildcards = true, conn = -1, leaf = -1 },
        });
        var operatorFile = Path.Combine(dir, "op.jwt");
        File.WriteAllText(operatorFile, operatorJwt);
        var leafCreds = Creds(dir, "leaf", account, leafUser);
        var hubCreds = Creds(dir, "client", account, hubUser);

        var leafPort = FreePort.Next();
        await using var nodes = new TestCluster();
        var hubConfig = new ConfigBuilder { Name = "hub", ClusterName = null }.LeafListen(leafPort)
            .Append($"operator: \"{operatorFile}\"\nresolver: MEMORY\nresolver_preload: {{\n  {account.GetPublicKey()}: \"{accountJwt}\"\n}}\n");
        var hub = await nodes.AddAsync(NodeProgram.NatsServer210, hubConfig, cancellationToken: ct);
        var leafConfig = LeafPair.WithAccounts(new ConfigBuilder { Name = "leaf", ClusterName = null }).LeafRemote("A", ConfigBuilder.LeafUrl(leafPort)) with { LeafCredentials = leafCreds };
        var leafNode = await nodes.AddAsync(NodeProgram.Modular, leafConfig, cancellationToken: ct);

        await using var onHub = await Clients.ConnectAsync(hub, ct, adjust: o => o with { AuthOpts = NatsAuthOpts.Default with { CredsFile = hubCreds } });
        await using var onLeaf = await Clients.ConnectAsync(leafNode, ct, "a", LeafPair.Password);
        await LeafPair.AssertCrossesBothWaysAsync(onHub, onLeaf, "leaf.jwt", ct);
    }

    [Fact]
    public async Task CredentialsWithUserJwt_SignedByAnotherAccount_Refused()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        using var op = KeyPair.CreatePair(PrefixByte.Operator);
        using var account = KeyPair.CreatePair(PrefixByte.Account);
        using var stranger = KeyPair.CreatePair(PrefixByte.Account);
        using var leafUser = KeyPair.CreatePair(PrefixByte.User);
        var dir = Directory.CreateTempSubdirectory("modular-leafjwt-").FullName;
        var operatorFile = Path.Combine(dir, "op.jwt");
        File.WriteAllText(operatorFile, Jwt(op, op.GetPublicKey(), "op", new { type = "operator", version = 2 }));
        var accountJwt = Jwt(op, account.GetPublicKey(), "acc", new { type = "account", version = 2, limits = new { subs = -1, data = -1, payload = -1, imports = -1, exports = -1, wildcards = true, conn = -1, leaf = -1 } });

        var leafPort = FreePort.Next();
        await using var nodes = new TestCluster();
        var hubConfig = new ConfigBuilder { Name = "hub", ClusterName = null }.LeafListen(leafPort)
            .Append($"operator: \"{operatorFile}\"\nresolver: MEMORY\nresolver_preload: {{\n  {account.GetPublicKey()}: \"{accountJwt}\"\n}}\n");
        await nodes.AddAsync(NodeProgram.NatsServer210, hubConfig, cancellationToken: ct);
        var leafConfig = LeafPair.WithAccounts(new ConfigBuilder { Name = "leaf", ClusterName = null }).LeafRemote("A", ConfigBuilder.LeafUrl(leafPort)) with { LeafCredentials = Creds(dir, "leaf", stranger, leafUser) };
        var leafNode = await nodes.AddAsync(NodeProgram.Modular, leafConfig, cancellationToken: ct);
        await Wait.Until(() => leafNode.Output.Contains("Authorization Violation"), TimeSpan.FromSeconds(30), "the leaf hears -ERR 'Authorization Violation'");
    }

    /// <summary>A .creds file: the user JWT (issued by <paramref name="account"/>) and the user's seed.</summary>
    private static string Creds(string dir, string name, KeyPair account, KeyPair user)
    {
        var jwt = Jwt(account, user.GetPublicKey(), name, new { type = "user", version = 2, pub = new { }, sub = new { }, subs = -1, data = -1, payload = -1 });
        var path = Path.Combine(dir, name + ".creds");
        File.WriteAllText(path, $"-----BEGIN NATS USER JWT-----\n{jwt}\n------END NATS USER JWT------\n\n************************* IMPORTANT *************************\nNKEY Seed printed below can be used to sign and prove identity.\n\n-----BEGIN USER NKEY SEED-----\n{user.GetSeed()}\n------END USER NKEY SEED------\n");
        return path;
    }

    /// <summary>A NATS v2 JWT: base64url header and claims, signed by <paramref name="issuer"/> with ed25519.</summary>
    private static string Jwt(KeyPair issuer, string subject, string name, object nats)
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { typ = "JWT", alg = "ed25519-nkey" }));
        var claims = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString("N").ToUpperInvariant(),
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["iss"] = issuer.GetPublicKey(),
            ["name"] = name,
            ["sub"] = subject,
            ["nats"] = nats,
        }));
        var signature = new byte[64];
        issuer.Sign(Encoding.ASCII.GetBytes(header + "." + claims), signature);
        return header + "." + claims + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
