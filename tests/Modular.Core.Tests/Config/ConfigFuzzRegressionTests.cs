using Modular.Core.Config;
using Xunit;

namespace Modular.Core.Tests.Config;

/// <summary>Inputs scripts/fuzz.sh found (target config): each must end as a config error with file and line.</summary>
public class ConfigFuzzRegressionTests
{
    [Theory]
    [InlineData("a = \"\\", 1)]
    [InlineData("[server]\nname = \"n1\\", 2)]
    [InlineData("a = '''x'''\nb = \"\"\"\\", 2)]
    public void LoadFromString_StringEndsInBackslashAtEndOfFile_ConfigErrorOnLastLine(string toml, int line)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString(toml, "cut.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("cut.toml", error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains("TOML syntax", error.Message);
    }

    [Fact]
    public void LoadFromString_ArraysNestedDeeperThan64_ConfigError()
    {
        var toml = "a = " + new string('[', 100) + new string(']', 100) + "\n";

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFromString(toml, "deep.toml"));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("deep.toml", error.File);
        Assert.Contains("TOML syntax", error.Message);
    }
}
