using System.Text;
using Modular.Core.Subjects;

namespace Modular.Core.Tests.Subjects;

public class SubjectMatcherTests
{
    [Theory]
    [InlineData("foo", "foo", true)]
    [InlineData("foo", "bar", false)]
    [InlineData("foo", "foo.bar", false)]
    [InlineData("foo.bar", "foo", false)]
    [InlineData("*", "foo", true)]
    [InlineData("*", "foo.bar", false)]
    [InlineData("foo.*", "foo.bar", true)]
    [InlineData("foo.*", "foo", false)]
    [InlineData("foo.*", "foo.bar.baz", false)]
    [InlineData("*.bar", "foo.bar", true)]
    [InlineData(">", "foo", true)]
    [InlineData(">", "foo.bar.baz", true)]
    [InlineData("foo.>", "foo", false)]
    [InlineData("foo.>", "foo.bar", true)]
    [InlineData("foo.>", "foo.bar.baz", true)]
    [InlineData("foo.*.>", "foo.bar", false)]
    [InlineData("foo.*.>", "foo.bar.baz", true)]
    [InlineData("foo*", "foo*", true)]
    [InlineData("foo*", "fooX", false)]
    [InlineData("a>b", "a>b", true)]
    [InlineData("a>b", "a", false)]
    [InlineData("foo", "", false)]
    public void IsMatch_PatternAndSubject_ReturnsExpected(string pattern, string subject, bool expected)
    {
        Assert.Equal(expected, SubjectMatcher.IsMatch(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(subject)));
    }
}
