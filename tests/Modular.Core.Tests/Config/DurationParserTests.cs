using Modular.Abstractions.Settings;
using Modular.Core.Config;

namespace Modular.Core.Tests.Config;

public class DurationParserTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("0s", 0L)]
    [InlineData("30s", 30_000L)]
    [InlineData("2m", 120_000L)]
    [InlineData("500ms", 500L)]
    [InlineData("1h30m", 5_400_000L)]
    [InlineData("1h30m15s", 5_415_000L)]
    [InlineData("1.5s", 1_500L)]
    [InlineData(".5s", 500L)]
    [InlineData("2h", 7_200_000L)]
    [InlineData("1m1ms", 60_001L)]
    [InlineData(" 10s ", 10_000L)]
    public void TryParse_ValidDuration_ReturnsMilliseconds(string text, long expectedMilliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), duration);
    }

    [Theory]
    [InlineData("250us", 2_500L)]
    [InlineData("250µs", 2_500L)]
    [InlineData("1500ns", 15L)]
    public void TryParse_SubMillisecondUnits_ReturnsTicks(string text, long expectedTicks)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(expectedTicks, duration.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("5 s")]
    [InlineData("5d")]
    [InlineData("1.2.3s")]
    [InlineData(".s")]
    [InlineData("1h 30m")]
    [InlineData("30S")]
    [InlineData("99999999999999h")]
    public void TryParse_InvalidDuration_ReturnsFalse(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(500L, "500ms")]
    [InlineData(30_000L, "30s")]
    [InlineData(1_500L, "1.5s")]
    [InlineData(120_000L, "2m")]
    [InlineData(5_400_000L, "1h30m")]
    [InlineData(90_000_000L, "25h")]
    public void Format_Duration_RoundTrips(long milliseconds, string expected)
    {
        var duration = TimeSpan.FromMilliseconds(milliseconds);
        var text = DurationParser.Format(duration);
        Assert.Equal(expected, text);
        Assert.True(DurationParser.TryParse(text, out var back));
        Assert.Equal(duration, back);
    }
}
