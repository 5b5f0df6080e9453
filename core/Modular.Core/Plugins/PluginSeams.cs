using Modular.Abstractions.Plugins;

namespace Modular.Core.Plugins;

/// <summary>Names of seams as messages and <c>modular plugins</c> show them.</summary>
public static class PluginSeams
{
    public static string Name(ModularSeam seam) => seam switch
    {
        ModularSeam.Transport => "transport",
        ModularSeam.Auth => "auth",
        ModularSeam.Compression => "compression",
        ModularSeam.Discovery => "discovery",
        ModularSeam.RoutePooling => "route-pooling",
        _ => seam.ToString().ToLowerInvariant(),
    };

    public static string Describe(ModularSeam seams)
    {
        var names = new List<string>();
        foreach (var seam in Enum.GetValues<ModularSeam>())
        {
            if (seam != ModularSeam.None && seams.HasFlag(seam))
            {
                names.Add(Name(seam));
            }
        }

        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}
