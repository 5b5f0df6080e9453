using Modular.Monitoring;

namespace Modular.Monitoring.Tests;

public class MonitorQueryTests
{
    [Fact]
    public void Bool_Missing_False() => Assert.False(MonitorQuery.Bool(QueryString.Empty, "subs"));

    [Fact]
    public void Bool_Bad_ThrowsWithGoMessage()
    {
        var ex = Assert.Throws<MonitorBadRequestException>(() => MonitorQuery.Bool(QueryString.Parse("subs=xxx"), "subs"));
        Assert.Equal("Error decoding boolean for 'subs': strconv.ParseBool: parsing \"xxx\": invalid syntax", ex.Message);
    }

    [Theory]
    [InlineData("5", 5)]
    [InlineData("+7", 7)]
    [InlineData("-3", -3)]
    [InlineData("99999999999", int.MaxValue)]
    public void Int_Valid_Parsed(string text, int expected) =>
        Assert.Equal(expected, MonitorQuery.Int(QueryString.Parse("limit=" + Uri.EscapeDataString(text)), "limit"));

    [Theory]
    [InlineData("abc", "invalid syntax")]
    [InlineData("1.5", "invalid syntax")]
    [InlineData("-", "invalid syntax")]
    [InlineData("99999999999999999999999", "value out of range")]
    public void Int_Bad_ThrowsWithGoMessage(string text, string why)
    {
        var ex = Assert.Throws<MonitorBadRequestException>(() => MonitorQuery.Int(QueryString.Parse("offset=" + text), "offset"));
        Assert.Equal($"Error decoding int for 'offset': strconv.Atoi: parsing \"{text}\": {why}", ex.Message);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("x")]
    public void UInt64_Bad_Throws(string text)
    {
        var ex = Assert.Throws<MonitorBadRequestException>(() => MonitorQuery.UInt64(QueryString.Parse("cid=" + text), "cid"));
        Assert.StartsWith("Error decoding uint64 for 'cid': strconv.ParseUint: parsing", ex.Message);
    }

    [Theory]
    [InlineData("subs=1", true, false)]
    [InlineData("subs=true", true, false)]
    [InlineData("subs=0", false, false)]
    [InlineData("subs=detail", false, true)]
    [InlineData("subs=DETAIL", false, true)]
    [InlineData("", false, false)]
    public void Subs_Values_Decoded(string query, bool subs, bool detail) =>
        Assert.Equal((subs, detail), MonitorQuery.Subs(QueryString.Parse(query)));
}
