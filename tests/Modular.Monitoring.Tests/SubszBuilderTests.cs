using System.Text.Json;
using Modular.Monitoring;
using Modular.Monitoring.Models;

namespace Modular.Monitoring.Tests;

public class SubszBuilderTests
{
    private static readonly DateTime Now = FakeMonitoredServer.T0.AddHours(1);

    private static Subsz Build(FakeMonitoredServer server, string query) =>
        SubszBuilder.Build(server, SubszOptions.Parse(QueryString.Parse(query)), Now);

    private static FakeMonitoredServer TwoAccounts()
    {
        var server = new FakeMonitoredServer();
        server.Accounts.Clear();
        server.Accounts.Add(new MonitoredAccount("$G", 1, FakeMonitoredServer.Stats(3, cache: 2, inserts: 5, removes: 2, matches: 10, hits: 4, maxFanout: 2, avgFanout: 1.5), FakeMonitoredServer.T0));
        server.Accounts.Add(new MonitoredAccount("A", 1, FakeMonitoredServer.Stats(2, cache: 1, inserts: 2, removes: 0, matches: 10, hits: 6, maxFanout: 3, avgFanout: 3), FakeMonitoredServer.T0));
        server.Clients.Add(FakeMonitoredServer.Client(1, subs: [("foo.bar", null), ("foo.*", "q"), ("baz", null)]));
        server.Clients.Add(FakeMonitoredServer.Client(2, account: "A", subs: [("foo.>", null), ("other", null)]));
        return server;
    }

    [Fact]
    public void Build_NoSubs_StatsOnlyWithNatsNames()
    {
        JsonElement json = JsonAssert.Serialize(Build(TwoAccounts(), ""));
        JsonAssert.HasExactly(json, "server_id", "now", "num_subscriptions", "num_cache", "num_inserts", "num_removes",
            "num_matches", "cache_hit_rate", "max_fanout", "avg_fanout", "total", "offset", "limit");
        Assert.Equal(5, json.GetProperty("num_subscriptions").GetInt64());
        Assert.Equal(3, json.GetProperty("num_cache").GetInt64());
        Assert.Equal(7, json.GetProperty("num_inserts").GetInt64());
        Assert.Equal(2, json.GetProperty("num_removes").GetInt64());
        Assert.Equal(20, json.GetProperty("num_matches").GetInt64());
        Assert.Equal(0.5, json.GetProperty("cache_hit_rate").GetDouble());
        Assert.Equal(3, json.GetProperty("max_fanout").GetInt64());
        Assert.Equal(2, json.GetProperty("avg_fanout").GetDouble());
        Assert.Equal(0, json.GetProperty("total").GetInt32());
        Assert.Equal(1024, json.GetProperty("limit").GetInt32());
    }

    [Fact]
    public void Build_Subs_LocalSubscriptionDetails()
    {
        Subsz subsz = Build(TwoAccounts(), "subs=1");
        Assert.Equal(5, subsz.Total);
        JsonElement first = JsonAssert.Serialize(subsz).GetProperty("subscriptions_list")[0];
        JsonAssert.HasExactly(first, "account", "subject", "sid", "msgs", "cid");
        Assert.Equal("$G", first.GetProperty("account").GetString());
        Assert.Equal(1UL, first.GetProperty("cid").GetUInt64());
    }

    [Fact]
    public void Build_Test_OnlyMatchingSubscriptions()
    {
        Subsz subsz = Build(TwoAccounts(), "subs=1&test=foo.bar");
        Assert.Equal(new[] { "foo.*", "foo.bar", "foo.>" }, subsz.SubscriptionsList!.Select(s => s.Subject));
        Assert.Equal(3, subsz.Total);
    }

    [Fact]
    public void Build_AccountFilter_StatsAndListOfThatAccount()
    {
        Subsz subsz = Build(TwoAccounts(), "subs=1&acc=A");
        Assert.Equal(2, subsz.NumSubscriptions);
        Assert.Equal(0.6, subsz.CacheHitRate, 6);
        Assert.All(subsz.SubscriptionsList!, s => Assert.Equal("A", s.Account));
        Assert.Equal(2, subsz.Total);
    }

    [Fact]
    public void Build_Paging_OffsetAndLimit()
    {
        Subsz subsz = Build(TwoAccounts(), "subs=1&offset=1&limit=2");
        Assert.Equal(2, subsz.SubscriptionsList!.Count);
        Assert.Equal(5, subsz.Total);
        Assert.Null(Build(TwoAccounts(), "subs=1&offset=99").SubscriptionsList);
    }

    [Theory]
    [InlineData("foo.*")]
    [InlineData("foo.>")]
    [InlineData("foo..bar")]
    public void Parse_WildcardOrEmptyTokenTest_BadRequest(string test) =>
        Assert.Equal($"invalid test subject, must be valid publish subject: {test}",
            Assert.Throws<MonitorBadRequestException>(() => SubszOptions.Parse(QueryString.Parse("test=" + test))).Message);

    [Fact]
    public void Parse_SubsDetail_BadRequestAsInNats() =>
        Assert.Throws<MonitorBadRequestException>(() => SubszOptions.Parse(QueryString.Parse("subs=detail")));

    [Fact]
    public void Aggregate_NoAccounts_Zeros()
    {
        SublistStats s = SubszBuilder.Aggregate([]);
        Assert.Equal(0, s.NumSubscriptions);
        Assert.Equal(0, s.CacheHitRate);
        Assert.Equal(0, s.AvgFanout);
    }

    [Theory]
    [InlineData("foo.bar", "foo.bar", true)]
    [InlineData("foo.bar", "foo.*", true)]
    [InlineData("foo.bar", "*.*", true)]
    [InlineData("foo.bar", "foo.>", true)]
    [InlineData("foo.bar", ">", true)]
    [InlineData("foo", "foo.>", false)]
    [InlineData("foo.bar.baz", "foo.*", false)]
    [InlineData("foo.bar", "foo", false)]
    [InlineData("foo", "foo.bar", false)]
    [InlineData("foox", "foo", false)]
    public void Matches_LiteralAgainstPattern(string literal, string pattern, bool expected) =>
        Assert.Equal(expected, MonitorSubjects.Matches(literal, pattern));
}
