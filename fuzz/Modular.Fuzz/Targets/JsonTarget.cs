using Modular.Core.Protocol;
using Modular.Core.Routes;

namespace Modular.Fuzz.Targets;

/// <summary>
/// CONNECT and INFO JSON as a client or a route peer sends it: each parser returns an object or
/// null (not JSON of that shape); nothing else may escape. An INFO we accept must survive what we
/// do with it next: copy it and write it back as a line that parses again.
/// </summary>
public sealed class JsonTarget : IFuzzTarget
{
    public void Run(byte[] input)
    {
        _ = ConnectOptions.Parse(input);
        _ = RouteConnectInfo.Parse(input);
        if (RouteInfo.Parse(input) is not { } info)
        {
            return;
        }

        var line = info.Clone().ToLine();
        if (RouteInfo.Parse(line.AsSpan(5, line.Length - 7)) is null)
        {
            throw new FuzzFinding("an INFO we accepted, written back by ToLine, does not parse again");
        }
    }
}
