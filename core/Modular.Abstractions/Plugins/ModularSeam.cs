namespace Modular.Abstractions.Plugins;

/// <summary>The extension points a plugin can serve.</summary>
[Flags]
public enum ModularSeam
{
    None = 0,
    Transport = 1,
    Auth = 2,
    Compression = 4,
    Discovery = 8,
    RoutePooling = 16,
}
