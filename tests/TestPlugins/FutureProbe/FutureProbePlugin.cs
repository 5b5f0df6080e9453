using Modular.Abstractions.Plugins;
using Modular.TestPlugins.FutureProbe;

[assembly: ModularPlugin("future", typeof(FutureProbePlugin), ModularSeam.Auth)]

namespace Modular.TestPlugins.FutureProbe;

public sealed class FutureProbePlugin : IModularPlugin
{
    public void Configure(PluginContext context)
    {
    }
}
