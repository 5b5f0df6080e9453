using Modular.Monitoring;

namespace Modular.Monitoring.Tests;

public class QueryStringTests
{
    [Fact]
    public void Parse_RepeatedKey_GetReturnsFirst()
    {
        QueryString q = QueryString.Parse("a=1&b=2&a=3");
        Assert.Equal("1", q.Get("a"));
        Assert.Equal(new[] { "1", "3" }, q.GetAll("a"));
        Assert.Equal("2", q.Get("b"));
    }

    [Fact]
    public void Parse_PlusAndEscapes_Decoded()
    {
        QueryString q = QueryString.Parse("test=foo.bar&x=a+b%2Fc&u=%C3%A9");
        Assert.Equal("foo.bar", q.Get("test"));
        Assert.Equal("a b/c", q.Get("x"));
        Assert.Equal("é", q.Get("u"));
    }

    [Fact]
    public void Parse_BadEscape_PairDropped()
    {
        QueryString q = QueryString.Parse("a=%zz&b=1&c=%4");
        Assert.False(q.Has("a"));
        Assert.False(q.Has("c"));
        Assert.Equal("1", q.Get("b"));
    }

    [Fact]
    public void Parse_Semicolon_PairDropped()
    {
        QueryString q = QueryString.Parse("a=1;b=2&c=3");
        Assert.False(q.Has("a"));
        Assert.Equal("3", q.Get("c"));
    }

    [Fact]
    public void Parse_KeyWithoutValue_EmptyValue()
    {
        QueryString q = QueryString.Parse("?subs&limit=");
        Assert.True(q.Has("subs"));
        Assert.Equal("", q.Get("subs"));
        Assert.Equal("", q.Get("limit"));
    }

    [Fact]
    public void Get_Missing_Empty() => Assert.Equal("", QueryString.Parse(null).Get("x"));
}
