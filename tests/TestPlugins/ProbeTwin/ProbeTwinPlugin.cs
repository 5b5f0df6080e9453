using Modular.Abstractions.Plugins;
using Modular.TestPlugins.ProbeTwin;

[assembly: ModularPlugin("probe", typeof(ProbeTwinPlugin), ModularSeam.Auth)]

namespace Modular.TestPlugins.ProbeTwin;

public sealed class ProbeTwinPlugin : IModularPlugin
{
    public void Configure(PluginContext context)
    {
    }
}
