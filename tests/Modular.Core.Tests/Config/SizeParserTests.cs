using Modular.Abstractions.Settings;
using Modular.Core.Config;

namespace Modular.Core.Tests.Config;

public class SizeParserTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1048576", 1048576L)]
    [InlineData("512B", 512L)]
    [InlineData("64KB", 64L * 1024)]
    [InlineData("64K", 64L * 1024)]
    [InlineData("64kb", 64L * 1024)]
    [InlineData("1MB", 1024L * 1024)]
    [InlineData("1MiB", 1024L * 1024)]
    [InlineData("1 MB", 1024L * 1024)]
    [InlineData(" 8M ", 8L * 1024 * 1024)]
    [InlineData("2GB", 2L * 1024 * 1024 * 1024)]
    [InlineData("1TB", 1L << 40)]
    public void TryParse_ValidSize_ReturnsBytes(string text, long expected)
    {
        Assert.True(SizeParser.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("MB")]
    [InlineData("-1MB")]
    [InlineData("1.5MB")]
    [InlineData("1XB")]
    [InlineData("1MBB")]
    [InlineData("1 M B")]
    [InlineData("99999999999999999999")]
    [InlineData("99999999999TB")]
    public void TryParse_InvalidSize_ReturnsFalse(string text)
    {
        Assert.False(SizeParser.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(SizeParser.TryParse(null, out _));
    }
}
