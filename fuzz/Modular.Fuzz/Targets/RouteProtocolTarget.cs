using System.Buffers;
using System.Text;
using Modular.Core.Protocol;
using Modular.Core.Routes;
using Modular.Fuzz.Feeding;

namespace Modular.Fuzz.Targets;

/// <summary>
/// The route protocol parser (control lines up to 16 × 4096, as a route connection makes it), on an
/// ordinary route and on a pinned-account route, checked whole against read by read; INFO and
/// CONNECT text go through <see cref="RouteInfo.Parse"/> and <see cref="RouteConnectInfo.Parse"/>
/// as the handshake does. A <see cref="ParseStatus.Error"/> is a normal outcome (the route closes).
/// </summary>
public sealed class RouteProtocolTarget : IFuzzTarget
{
    public void Run(byte[] input)
    {
        ResumableParse.Check(input, () => NewParser(accountImplied: false));
        ResumableParse.Check(input, () => NewParser(accountImplied: true));
    }

    private static ParseOne NewParser(bool accountImplied)
    {
        var parser = new RouteProtocolParser(4096 * 16) { AccountImplied = accountImplied };
        return ResumableParse.Tracing<RouteCommand>(parser.TryParse, Record);
    }

    private static void Record(RouteCommand command, StringBuilder trace)
    {
        trace.Append(command.Op)
            .Append(" a=").Append(ResumableParse.Show(command.Account))
            .Append(" o=").Append(ResumableParse.Show(command.Origin))
            .Append(" s=").Append(ResumableParse.Show(command.Subject))
            .Append(" q=").Append(ResumableParse.Show(command.Queue))
            .Append(" w=").Append(command.Weight)
            .Append(" r=").Append(ResumableParse.Show(command.Reply))
            .Append(" qs=").Append(ResumableParse.Show(command.Queues))
            .Append(" h=").Append(command.HeaderSize)
            .Append(" t=").Append(command.TotalSize)
            .Append(" p=").Append(ResumableParse.Show(command.Payload))
            .Append(" x=").Append(command.Text.Length)
            .Append('\n');
        if (command.Op == RouteOp.Message && command.Payload.Length != command.TotalSize)
        {
            throw new FuzzFinding($"a message of size {command.TotalSize} delivered a payload of {command.Payload.Length} bytes");
        }

        if (command.Op == RouteOp.Info)
        {
            trace.Append(RouteInfo.Parse(command.Text) is null ? "  info json rejected\n" : "  info json ok\n");
        }
        else if (command.Op == RouteOp.Connect)
        {
            trace.Append(RouteConnectInfo.Parse(command.Text) is null ? "  connect json rejected\n" : "  connect json ok\n");
        }
    }
}
