using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Routes;
using Modular.Core.Routes.Handshake;

namespace Modular.Core.Tests.Routes.Handshake;

public class RouteHandshakeTests
{
    private static readonly RouteDialTarget Dialed = new(new Uri("nats-route://127.0.0.1:6222"), IsConfigured: true, PinnedAccount: null);

    private static RouteHandshake Accepting(FakeHost host) => new(host, 1, dialTarget: null, route: null, NullLogger.Instance);

    private static RouteHandshake Dialing(FakeHost host) => new(host, 1, Dialed, route: null, NullLogger.Instance);

    private static byte[] Json(string json) => Encoding.UTF8.GetBytes(json);

    private static HandshakeOutcome Connect(RouteHandshake handshake, string json) =>
        handshake.OnConnect(Json(json), null, new ConnectionFeatures());

    [Fact]
    public void FirstLine_Dialing_ConnectWithClusterAndCredentials()
    {
        var line = Encoding.UTF8.GetString(Dialing(new FakeHost()).FirstLine());
        Assert.StartsWith("CONNECT {", line);
        Assert.Contains("\"cluster\":\"c1\"", line);
        Assert.Contains("\"name\":\"OURS\"", line);
    }

    [Fact]
    public void FirstLine_Accepting_OurInfo()
    {
        Assert.StartsWith("INFO {", Encoding.UTF8.GetString(Accepting(new FakeHost()).FirstLine()));
    }

    [Fact]
    public void OnConnect_SameCluster_ContinuesAndTakesInfo()
    {
        var handshake = Accepting(new FakeHost());
        Assert.True(handshake.MustSeeConnectFirst);
        Assert.Equal(HandshakeResult.Continue, Connect(handshake, "{\"name\":\"PEER\",\"cluster\":\"c1\"}").Result);
        Assert.False(handshake.MustSeeConnectFirst);
    }

    public static TheoryData<string, RouteCloseReason, string> RefusedConnects => new()
    {
        { "{\"name\":\"PEER\",\"cluster\":\"c1\",\"lang\":\"go\"}", RouteCloseReason.ProtocolViolation, "attempted to connect to route port" },
        { "{\"name\":\"PEER\",\"cluster\":\"c1\",\"gateway\":\"G\"}", RouteCloseReason.ProtocolViolation, "Rejecting connection from gateway \"G\" on the Route port" },
        { "{\"name\":\"PEER\",\"cluster\":\"other\"}", RouteCloseReason.ClusterNameConflict, "Rejecting connection, cluster name \"other\" does not match \"c1\"" },
    };

    [Theory]
    [MemberData(nameof(RefusedConnects))]
    public void OnConnect_Refused_ReasonAndError(string json, RouteCloseReason reason, string error)
    {
        var outcome = Connect(Accepting(new FakeHost()), json);
        Assert.Equal(HandshakeResult.Refused, outcome.Result);
        Assert.Equal(reason, outcome.Reason);
        Assert.Equal(error, outcome.Error);
        Assert.True(outcome.Flush);
    }

    [Fact]
    public void OnConnect_AuthenticationDenied_AuthorizationViolation()
    {
        var outcome = Connect(Accepting(new FakeHost { Decision = AuthDecision.Deny }), "{\"name\":\"PEER\",\"cluster\":\"c1\"}");
        Assert.Equal(RouteCloseReason.AuthenticationViolation, outcome.Reason);
        Assert.Equal(Modular.Core.Protocol.ErrorMessages.AuthorizationViolation, outcome.Error);
    }

    [Fact]
    public async Task OnConnect_SlowAuthentication_AwaitsThenContinues()
    {
        var pending = new TaskCompletionSource<AuthDecision>();
        var handshake = Accepting(new FakeHost { Pending = pending.Task });
        var outcome = Connect(handshake, "{\"name\":\"PEER\",\"cluster\":\"c1\"}");
        Assert.Equal(HandshakeResult.AwaitAuthentication, outcome.Result);
        pending.SetResult(AuthDecision.Allow("$G"));
        Assert.Equal(HandshakeResult.Continue, handshake.OnAuthenticated(await outcome.PendingAuth!).Result);
        Assert.False(handshake.MustSeeConnectFirst);
    }

    [Fact]
    public void OnConnect_DynamicNameMeetsStatic_AdoptsAndContinues()
    {
        var host = new FakeHost { Adopts = true };
        Assert.Equal(HandshakeResult.Continue, Connect(Accepting(host), "{\"name\":\"PEER\",\"cluster\":\"prod\"}").Result);
        Assert.Equal("prod", host.Adopted);
    }

    [Fact]
    public void OnInfo_FirstInfo_Accepted()
    {
        var handshake = Dialing(new FakeHost());
        var outcome = handshake.OnInfo(Json("{\"server_id\":\"PEER\",\"server_name\":\"peer\",\"cluster\":\"c1\"}"));
        Assert.Equal(HandshakeResult.Accepted, outcome.Result);
        Assert.Equal("PEER", handshake.RemoteInfo!.ServerId);
    }

    public static TheoryData<string, RouteCloseReason> RefusedInfos => new()
    {
        { "{\"server_id\":\"OURS\",\"cluster\":\"c1\"}", RouteCloseReason.DuplicateRoute },
        { "{\"server_id\":\"PEER\",\"server_name\":\"ours\",\"cluster\":\"c1\"}", RouteCloseReason.DuplicateServerName },
        { "{\"server_id\":\"PEER\",\"cluster\":\"other\"}", RouteCloseReason.ClusterNameConflict },
        { "not json", RouteCloseReason.ProtocolViolation },
    };

    [Theory]
    [MemberData(nameof(RefusedInfos))]
    public void OnInfo_Refused_Reason(string json, RouteCloseReason reason)
    {
        var outcome = Dialing(new FakeHost()).OnInfo(Json(json));
        Assert.Equal(HandshakeResult.Refused, outcome.Result);
        Assert.Equal(reason, outcome.Reason);
        Assert.Null(outcome.Error);
    }

    public static TheoryData<string, InfoUpdate> Updates => new()
    {
        { "{\"server_id\":\"PEER\",\"route_account\":\"A\",\"route_acc_add_reqid\":\"R1\"}", InfoUpdate.PinRequest },
        { "{\"server_id\":\"PEER\",\"route_acc_add_reqid\":\"R1\"}", InfoUpdate.PinConfirmation },
        { "{\"server_id\":\"OTHER\",\"ip\":\"nats-route://127.0.0.1:7000/\"}", InfoUpdate.Gossip },
        { "{\"server_id\":\"PEER\",\"ldm\":true}", InfoUpdate.LameDuck },
        { "{\"server_id\":\"PEER\"}", InfoUpdate.None },
    };

    [Theory]
    [MemberData(nameof(Updates))]
    public void OnInfo_AfterFirst_ClassifiedUpdate(string json, InfoUpdate expected)
    {
        var handshake = Dialing(new FakeHost());
        handshake.OnInfo(Json("{\"server_id\":\"PEER\",\"server_name\":\"peer\",\"cluster\":\"c1\"}"));
        var outcome = handshake.OnInfo(Json(json));
        Assert.Equal(HandshakeResult.Update, outcome.Result);
        Assert.Equal(expected, outcome.Update);
    }

    [Theory]
    [InlineData("No route for account \"A\"", RouteCloseReason.MissingAccount)]
    [InlineData("Duplicate route", RouteCloseReason.DuplicateRoute)]
    [InlineData("Not possible to have a dedicated route for account \"A\" between those servers", RouteCloseReason.DuplicateRoute)]
    [InlineData("something else", RouteCloseReason.RemoteError)]
    public void ReasonForRemoteError_PeerRefusals_NotRedialedReasons(string message, RouteCloseReason expected)
    {
        Assert.Equal(expected, RouteHandshake.ReasonForRemoteError(message));
    }

    private sealed class FakeHost : IRouteHandshakeHost, IAuthenticator, IRouteCredentialsProvider
    {
        public AuthDecision Decision { get; init; } = AuthDecision.Allow("$G");

        public Task<AuthDecision>? Pending { get; init; }

        public bool Adopts { get; init; }

        public string? Adopted { get; private set; }

        public string ServerId => "OURS";

        public string ServerName => "ours";

        public string ClusterName => "c1";

        public bool IsClusterNameDynamic => false;

        public IRouteCredentialsProvider Credentials => this;

        public IAuthenticator Authenticator => this;

        public RouteInfo BuildInfo(RouteConnection? via) => new() { ServerId = ServerId, ServerName = ServerName, Cluster = ClusterName };

        public bool TryAdoptClusterName(string? theirs, bool theirsDynamic, RouteConnection? via)
        {
            Adopted = Adopts ? theirs : null;
            return Adopts;
        }

        public ValueTask<AuthDecision> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken = default) => Pending is { } pending ? new(pending) : new(Decision);

        public bool IsRequired(ConnectionKind kind) => false;

        public RouteCredentials CredentialsFor(Uri url) => new(null, null);
    }
}
