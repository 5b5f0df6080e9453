using Modular.Monitoring;

namespace Modular.Monitoring.Tests;

public class GoFormatTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(45, "45s")]
    [InlineData(59.9, "59s")]
    [InlineData(60, "1m0s")]
    [InlineData(187, "3m7s")]
    [InlineData(3723, "1h2m3s")]
    [InlineData(3600, "1h0m0s")]
    [InlineData(90061, "1d1h1m1s")]
    [InlineData(86400 * 366 + 5, "1y1d0h0m5s")]
    public void Uptime_Seconds_CompactForm(double seconds, string expected) =>
        Assert.Equal(expected, GoFormat.Uptime(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Uptime_Negative_ReadsZero() => Assert.Equal("0s", GoFormat.Uptime(TimeSpan.FromSeconds(-5)));

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "1ns")]
    [InlineData(999L, "999ns")]
    [InlineData(1_000L, "1µs")]
    [InlineData(1_500L, "1.5µs")]
    [InlineData(1_234_000L, "1.234ms")]
    [InlineData(1_234_567L, "1.234567ms")]
    [InlineData(100_000_000L, "100ms")]
    [InlineData(1_000_000_000L, "1s")]
    [InlineData(2_500_000_000L, "2.5s")]
    [InlineData(90_000_000_000L, "1m30s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(3_723_500_000_000L, "1h2m3.5s")]
    [InlineData(-1_500_000L, "-1.5ms")]
    [InlineData(long.MinValue, "-2562047h47m16.854775808s")]
    public void Duration_Nanoseconds_GoString(long nanoseconds, string expected) =>
        Assert.Equal(expected, GoFormat.Duration(nanoseconds));

    [Fact]
    public void Duration_TimeSpan_UsesHundredNanosecondTicks() =>
        Assert.Equal("1.2345ms", GoFormat.Duration(TimeSpan.FromTicks(12345)));

    [Fact]
    public void Time_FractionalSeconds_TrailingZerosTrimmed()
    {
        var t = new DateTime(2024, 5, 1, 10, 20, 30, DateTimeKind.Utc).AddTicks(1_234_500);
        Assert.Equal("2024-05-01T10:20:30.12345Z", GoFormat.Time(t));
    }

    [Fact]
    public void Time_WholeSecond_NoFraction() =>
        Assert.Equal("2024-05-01T10:20:30Z", GoFormat.Time(new DateTime(2024, 5, 1, 10, 20, 30, DateTimeKind.Utc)));

    [Fact]
    public void Time_AllSevenDigits_Kept() =>
        Assert.Equal("2024-05-01T10:20:30.0000001Z", GoFormat.Time(new DateTime(2024, 5, 1, 10, 20, 30, DateTimeKind.Utc).AddTicks(1)));

    [Fact]
    public void Time_MinValue_GoZeroTime() => Assert.Equal("0001-01-01T00:00:00Z", GoFormat.Time(DateTime.MinValue));

    [Fact]
    public void Time_LocalKind_ConvertedToUtc()
    {
        var utc = new DateTime(2024, 5, 1, 10, 20, 30, DateTimeKind.Utc);
        Assert.Equal(GoFormat.Time(utc), GoFormat.Time(utc.ToLocalTime()));
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(2.0, "2")]
    [InlineData(-2.0, "-2")]
    [InlineData(0.5, "0.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(12.34, "12.34")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(0.0000001, "1e-7")]
    [InlineData(0.00000012, "1.2e-7")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(1.5e20, "150000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.5e21, "1.5e+21")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(double.NaN, "0")]
    public void Float_Value_GoJsonNotation(double value, string expected) => Assert.Equal(expected, GoFormat.Float(value));

    [Theory]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("T", true)]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("0", false)]
    [InlineData("f", false)]
    [InlineData("false", false)]
    [InlineData("FALSE", false)]
    [InlineData("False", false)]
    public void TryParseBool_GoSpellings_Accepted(string text, bool expected)
    {
        Assert.True(GoFormat.TryParseBool(text, out bool value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("tRUE")]
    [InlineData("2")]
    [InlineData(" true")]
    [InlineData("")]
    public void TryParseBool_OtherText_Rejected(string text) => Assert.False(GoFormat.TryParseBool(text, out _));

    [Fact]
    public void Quote_SpecialCharacters_Escaped() => Assert.Equal("\"a\\\"b\\\\c\\n\\x01\"", GoFormat.Quote("a\"b\\c\n\u0001"));
}
