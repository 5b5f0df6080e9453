using Modular.Abstractions.Settings;
using Modular.Core.Config;

namespace Modular.Core.Tests.Config;

/// <summary>The core's key tables are what the binder binds: every declared key is taken, an undeclared one is unknown with a hint.</summary>
public sealed class ConfigKeysTests
{
    public static TheoryData<string, string> DeclaredKeys()
    {
        var data = new TheoryData<string, string>();
        foreach (var key in ConfigKeys.Server)
        {
            data.Add("server", key.Name);
        }

        foreach (var key in ConfigKeys.Monitor)
        {
            data.Add("monitor", key.Name);
        }

        foreach (var key in ConfigKeys.Log)
        {
            data.Add("log", key.Name);
        }

        foreach (var key in ConfigKeys.Cluster)
        {
            data.Add("cluster", key.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DeclaredKeys))]
    public void Bind_DeclaredKey_IsNeverUnknown(string table, string key)
    {
        // Any value: a wrong type is reported, but never as an unknown key.
        var toml = $"[{table}]\n{key} = 12345\n";

        var errors = ErrorsOf(toml);

        Assert.DoesNotContain(errors, e => e.Contains("unknown key", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_UndeclaredKey_UnknownWithFileLineAndHint()
    {
        var errors = ErrorsOf("[cluster]\nlisten = \"127.0.0.1:6222\"\npool_sise = 3\n");

        Assert.Equal(["c.toml:3: cluster.pool_sise: unknown key (a typo, or an option this version does not have); did you mean \"pool_size\"?"], errors);
    }

    [Fact]
    public void KeyTables_EveryKey_HasTypeAndDescription()
    {
        foreach (var key in ConfigKeys.Root.Concat(ConfigKeys.Server).Concat(ConfigKeys.Monitor).Concat(ConfigKeys.Log).Concat(ConfigKeys.Cluster).Concat(ConfigKeys.Account).Concat(ConfigKeys.User))
        {
            Assert.False(string.IsNullOrWhiteSpace(key.Description), key.Name);
            Assert.True(Enum.IsDefined(key.Type), key.Name);
        }
    }

    private static List<string> ErrorsOf(string toml)
    {
        try
        {
            ConfigLoader.LoadFromString(toml, "c.toml");
            return [];
        }
        catch (ConfigException ex)
        {
            return ex.Errors.Select(e => e.ToString()).ToList();
        }
    }
}
