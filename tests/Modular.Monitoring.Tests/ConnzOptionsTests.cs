using Modular.Monitoring;

namespace Modular.Monitoring.Tests;

public class ConnzOptionsTests
{
    private static ConnzOptions Parse(string query) => ConnzOptions.Parse(QueryString.Parse(query));

    [Fact]
    public void Parse_Empty_Defaults()
    {
        ConnzOptions o = Parse("");
        Assert.Equal(ConnzSort.Cid, o.Sort);
        Assert.Equal(0, o.Offset);
        Assert.Equal(1024, o.Limit);
        Assert.Equal(ConnState.Open, o.State);
        Assert.False(o.Subscriptions);
        Assert.False(o.SubscriptionsDetail);
        Assert.False(o.Auth);
        Assert.Equal(0UL, o.Cid);
    }

    [Fact]
    public void Parse_AllParameters_Decoded()
    {
        ConnzOptions o = Parse("sort=bytes_to&auth=true&subs=1&offset=5&limit=10&cid=7&state=any&user=bob&acc=A");
        Assert.Equal(ConnzSort.BytesTo, o.Sort);
        Assert.True(o.Auth);
        Assert.True(o.Subscriptions);
        Assert.Equal(5, o.Offset);
        Assert.Equal(10, o.Limit);
        Assert.Equal(7UL, o.Cid);
        Assert.Equal(ConnState.Any, o.State);
        Assert.Equal("bob", o.User);
        Assert.Equal("A", o.Account);
    }

    [Fact]
    public void Parse_NegativeOffsetAndZeroLimit_Normalized()
    {
        ConnzOptions o = Parse("offset=-4&limit=0");
        Assert.Equal(0, o.Offset);
        Assert.Equal(1024, o.Limit);
    }

    [Theory]
    [InlineData("cid", ConnzSort.Cid)]
    [InlineData("start", ConnzSort.Start)]
    [InlineData("subs", ConnzSort.Subs)]
    [InlineData("pending", ConnzSort.Pending)]
    [InlineData("msgs_to", ConnzSort.MsgsTo)]
    [InlineData("msgs_from", ConnzSort.MsgsFrom)]
    [InlineData("bytes_to", ConnzSort.BytesTo)]
    [InlineData("bytes_from", ConnzSort.BytesFrom)]
    [InlineData("last", ConnzSort.Last)]
    [InlineData("idle", ConnzSort.Idle)]
    [InlineData("uptime", ConnzSort.Uptime)]
    [InlineData("rtt", ConnzSort.Rtt)]
    public void Parse_SortNames_Recognized(string name, ConnzSort expected) => Assert.Equal(expected, Parse("sort=" + name).Sort);

    [Fact]
    public void Parse_StopWithClosedState_Accepted() => Assert.Equal(ConnzSort.Stop, Parse("sort=stop&state=closed").Sort);

    [Fact]
    public void Parse_UnknownSort_BadRequest()
    {
        var ex = Assert.Throws<MonitorBadRequestException>(() => Parse("sort=bogus"));
        Assert.Equal("invalid sorting option: bogus", ex.Message);
    }

    [Theory]
    [InlineData("sort=stop", "sort by stop only valid on closed connections")]
    [InlineData("sort=reason&state=any", "sort by reason only valid on closed connections")]
    public void Parse_ClosedOnlySortOnOpen_BadRequest(string query, string message) =>
        Assert.Equal(message, Assert.Throws<MonitorBadRequestException>(() => Parse(query)).Message);

    [Theory]
    [InlineData("open", ConnState.Open)]
    [InlineData("CLOSED", ConnState.Closed)]
    [InlineData("any", ConnState.Any)]
    [InlineData("all", ConnState.Any)]
    public void Parse_State_Decoded(string text, ConnState expected) => Assert.Equal(expected, Parse("state=" + text).State);

    [Fact]
    public void Parse_BadState_BadRequest() =>
        Assert.Equal("Error decoding state for sideways", Assert.Throws<MonitorBadRequestException>(() => Parse("state=sideways")).Message);

    [Fact]
    public void Parse_SubsDetail_DetailOnly()
    {
        ConnzOptions o = Parse("subs=detail");
        Assert.True(o.SubscriptionsDetail);
        Assert.False(o.Subscriptions);
    }

    [Theory]
    [InlineData("auth=maybe", "auth")]
    [InlineData("subs=yes", "subs")]
    public void Parse_BadBool_BadRequestNamesParameter(string query, string name) =>
        Assert.StartsWith($"Error decoding boolean for '{name}'", Assert.Throws<MonitorBadRequestException>(() => Parse(query)).Message);

    [Fact]
    public void Parse_SeveralBad_FirstInNatsOrderReported() =>
        Assert.StartsWith("Error decoding int for 'limit'", Assert.Throws<MonitorBadRequestException>(() => Parse("state=x&limit=y&sort=z")).Message);
}
