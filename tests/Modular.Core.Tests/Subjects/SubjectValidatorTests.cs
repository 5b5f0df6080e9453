using System.Text;
using Modular.Core.Subjects;

namespace Modular.Core.Tests.Subjects;

public class SubjectValidatorTests
{
    [Theory]
    [InlineData("foo")]
    [InlineData("foo.bar")]
    [InlineData("foo.bar.baz")]
    [InlineData("*")]
    [InlineData(">")]
    [InlineData("foo.*")]
    [InlineData("*.bar")]
    [InlineData("foo.*.baz")]
    [InlineData("foo.>")]
    [InlineData("*.*.>")]
    [InlineData("foo*")]
    [InlineData("foo*.bar")]
    [InlineData("a>b")]
    [InlineData("a>b.c")]
    [InlineData(">a.b")]
    [InlineData("foo.>>")]
    [InlineData("**.bar")]
    [InlineData("$SYS.REQ.SERVER.PING")]
    [InlineData("_INBOX.abc123")]
    [InlineData("ünïcödé.subject")]
    public void IsValidSubscribeSubject_ValidSubject_ReturnsTrue(string subject)
    {
        Assert.True(SubjectValidator.IsValidSubscribeSubject(Encoding.UTF8.GetBytes(subject)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData(".foo")]
    [InlineData("foo.")]
    [InlineData("foo..bar")]
    [InlineData("foo.bar.")]
    [InlineData("..")]
    [InlineData(">.foo")]
    [InlineData("foo.>.bar")]
    [InlineData("foo.>.*")]
    [InlineData("foo bar")]
    [InlineData("foo\tbar")]
    [InlineData("foo\rbar")]
    [InlineData("foo\nbar")]
    [InlineData("foo\fbar")]
    [InlineData(" foo")]
    [InlineData("foo ")]
    [InlineData("foo.* ")]
    public void IsValidSubscribeSubject_InvalidSubject_ReturnsFalse(string subject)
    {
        Assert.False(SubjectValidator.IsValidSubscribeSubject(Encoding.UTF8.GetBytes(subject)));
    }

    [Theory]
    [InlineData("foo", true)]
    [InlineData("foo.bar.baz", true)]
    [InlineData("foo*", true)]
    [InlineData("a>b", true)]
    [InlineData("foo.bar*.>b", true)]
    [InlineData("*", false)]
    [InlineData(">", false)]
    [InlineData("foo.*", false)]
    [InlineData("foo.>", false)]
    [InlineData("*.foo", false)]
    [InlineData("foo.*.bar", false)]
    [InlineData("foo..bar", false)]
    [InlineData("foo.", false)]
    [InlineData("", false)]
    [InlineData("foo bar", false)]
    public void IsValidPublishSubject_Subject_ReturnsExpected(string subject, bool expected)
    {
        Assert.Equal(expected, SubjectValidator.IsValidPublishSubject(Encoding.UTF8.GetBytes(subject)));
    }

    [Theory]
    [InlineData("foo", true)]
    [InlineData("foo*", true)]
    [InlineData("*foo", true)]
    [InlineData("a>b", true)]
    [InlineData("a.b>.c", true)]
    [InlineData("**", true)]
    [InlineData(">>", true)]
    [InlineData("", true)]
    [InlineData("*", false)]
    [InlineData(">", false)]
    [InlineData("a.*", false)]
    [InlineData("*.a", false)]
    [InlineData("a.*.b", false)]
    [InlineData("a.>", false)]
    [InlineData("a*.*", false)]
    public void IsLiteral_Subject_ReturnsExpected(string subject, bool expected)
    {
        Assert.Equal(expected, SubjectValidator.IsLiteral(Encoding.UTF8.GetBytes(subject)));
    }

    [Theory]
    [InlineData("workers", true)]
    [InlineData("q.1", true)]
    [InlineData("q*", true)]
    [InlineData("", false)]
    [InlineData("bad queue", false)]
    [InlineData("bad\tqueue", false)]
    [InlineData("bad\r", false)]
    [InlineData("\nbad", false)]
    public void IsValidQueueName_Name_ReturnsExpected(string queue, bool expected)
    {
        Assert.Equal(expected, SubjectValidator.IsValidQueueName(Encoding.UTF8.GetBytes(queue)));
    }

    [Fact]
    public void IsValidSubscribeSubject_ManyCalls_AllocatesNothing()
    {
        byte[] subject = "orders.*.eu.>"u8.ToArray();
        SubjectValidator.IsValidSubscribeSubject(subject);
        SubjectValidator.IsValidPublishSubject(subject);
        SubjectValidator.IsValidQueueName(subject);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            SubjectValidator.IsValidSubscribeSubject(subject);
            SubjectValidator.IsValidPublishSubject(subject);
            SubjectValidator.IsLiteral(subject);
            SubjectValidator.IsValidQueueName(subject);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
