using Modular.Abstractions.Plugins;

namespace Modular.Core.Plugins;

/// <summary>A plugin found in a folder and loaded: what it declared and where it came from.</summary>
public sealed record LoadedPlugin
{
    /// <summary>The name it declared (what <c>use</c> refers to).</summary>
    public required string Name { get; init; }

    /// <summary>The informational version of its assembly, without a +commit suffix.</summary>
    public required string Version { get; init; }

    public required ModularSeam Seams { get; init; }

    /// <summary>The full path of its folder.</summary>
    public required string Folder { get; init; }

    public required string AssemblyPath { get; init; }

    /// <summary>The entry of the root <c>plugins</c> list that loaded it, e.g. "tls" or "./my-plugins/x".</summary>
    public required string Entry { get; init; }

    public required int Line { get; init; }

    /// <summary>True when the entry is a bare name (a plugin bundled with the host).</summary>
    public bool IsBundled { get; init; }

    public required Type PluginType { get; init; }

    /// <summary>The seams as users write them: "auth, discovery".</summary>
    public string SeamsText => PluginSeams.Describe(Seams);
}
