using Modular.Abstractions.Plugins;
using Modular.Abstractions.Settings;

namespace Modular.Core.Tests.Config;

/// <summary>The core's keys and plugins' settings read durations, sizes and typos with one grammar and one suggester.</summary>
public sealed class SettingsGrammarTests
{
    private static PluginSettings Settings(string key, object value) =>
        new("cluster.test", new Dictionary<string, PluginSetting> { [key] = new(value, 7) }, tableLine: 5);

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1500ns", 15L)]
    [InlineData("250us", 2_500L)]
    [InlineData("250µs", 2_500L)]
    [InlineData("500ms", 5_000_000L)]
    [InlineData("1.5s", 15_000_000L)]
    [InlineData("1h30m", 54_000_000_000L)]
    [InlineData("1m1ms", 600_010_000L)]
    public void GetDuration_PluginSetting_AcceptsWhatTheCoreAccepts(string text, long expectedTicks)
    {
        var settings = Settings("interval", text);

        var value = settings.GetDuration("interval", TimeSpan.FromHours(9));

        Assert.Empty(settings.Errors);
        Assert.Equal(expectedTicks, value.Ticks);
        Assert.True(DurationParser.TryParse(text, out var core));
        Assert.Equal(core, value);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("-5s")]
    [InlineData("5d")]
    [InlineData("1h 30m")]
    public void GetDuration_NotADuration_OneErrorWithKeyAndLine(string text)
    {
        var settings = Settings("interval", text);

        Assert.Equal(TimeSpan.FromSeconds(3), settings.GetDuration("interval", TimeSpan.FromSeconds(3)));

        var error = Assert.Single(settings.Errors);
        Assert.Equal(("cluster.test.interval", 7), (error.Key, error.Line));
        Assert.StartsWith("expected a duration like", error.Message, StringComparison.Ordinal);
        Assert.False(DurationParser.TryParse(text, out _));
    }

    [Theory]
    [InlineData("64KB", 65_536L)]
    [InlineData("1MiB", 1_048_576L)]
    [InlineData("512", 512L)]
    [InlineData("2 g", 2_147_483_648L)]
    public void GetSize_PluginSetting_ReadsTheCoreSizeGrammar(string text, long expected)
    {
        var settings = Settings("buffer", text);

        Assert.Equal(expected, settings.GetSize("buffer", 1));
        Assert.Empty(settings.Errors);
        Assert.True(SizeParser.TryParse(text, out var core));
        Assert.Equal(core, expected);
    }

    [Fact]
    public void GetSize_IntegerAndBounds_CheckedWithKeyAndLine()
    {
        Assert.Equal(4096, Settings("buffer", 4096L).GetSize("buffer", 1));

        var tooSmall = Settings("buffer", "1KB");
        Assert.Equal(8, tooSmall.GetSize("buffer", 8, min: 4096));
        Assert.Equal(new PluginSettingError("cluster.test.buffer", 7, "must be at least 4096 bytes, got \"1KB\""), Assert.Single(tooSmall.Errors));

        var notASize = Settings("buffer", "lots");
        notASize.GetSize("buffer", 8);
        Assert.Equal("expected a size like 1048576, \"64KB\" or \"1MB\", got \"lots\"", Assert.Single(notASize.Errors).Message);
    }

    [Theory]
    [InlineData("max_paylod", "max_payload")]
    [InlineData("PING_INTERVAL", "ping_interval")]
    [InlineData("pingmax", "ping_max")]
    [InlineData("colour", null)]
    [InlineData("x", null)]
    public void Suggest_NearMiss_NamesTheKnownKey(string key, string? expected)
    {
        Assert.Equal(expected, KeySuggester.Suggest(key, ["max_payload", "ping_interval", "ping_max", "name", "listen"]));
    }

    [Fact]
    public void UnknownKeyErrors_PluginSettings_UseTheSameSuggester()
    {
        var settings = Settings("intervall", "1s");
        settings.GetDuration("interval", TimeSpan.Zero);

        var error = Assert.Single(settings.UnknownKeyErrors("probe"));

        Assert.Equal(7, error.Line);
        Assert.EndsWith("did you mean \"interval\"?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Declare_DeclaredKeyNeverAskedFor_IsKnownAndSuggested()
    {
        var settings = new PluginSettings("cluster.test", new Dictionary<string, PluginSetting>
        {
            ["levle"] = new("fast", 8),
            ["spare"] = new(true, 9),
        });
        settings.Declare(new SettingKey("level", SettingType.Choice, "fastest", "effort"), new SettingKey("spare", SettingType.Boolean, "false", "kept for later"));

        var error = Assert.Single(settings.UnknownKeyErrors("probe"));

        Assert.Equal(("cluster.test.levle", 8), (error.Key, error.Line));
        Assert.EndsWith("did you mean \"level\"?", error.Message, StringComparison.Ordinal);
        Assert.Equal(["level", "spare"], settings.Declared.Select(k => k.Name));
    }
}
