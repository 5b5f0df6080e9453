using System.Buffers;
using System.Text;
using Modular.Core.Protocol;
using Modular.Fuzz.Feeding;

namespace Modular.Fuzz.Targets;

/// <summary>
/// The client protocol parser with the default limits (max_control_line 4096, max_payload 1 MB),
/// checked whole against read by read; CONNECT's JSON goes through <see cref="ConnectOptions.Parse"/>
/// as the client session does. A <see cref="ParseStatus.Error"/> is a normal outcome (the session
/// sends -ERR and closes).
/// </summary>
public sealed class ClientProtocolTarget : IFuzzTarget
{
    public void Run(byte[] input) => ResumableParse.Check(input, NewParser);

    private static ParseOne NewParser()
    {
        var parser = new ClientProtocolParser(maxControlLine: 4096, maxPayload: 1024 * 1024);
        return ResumableParse.Tracing<ClientCommand>(parser.TryParse, Record);
    }

    private static void Record(ClientCommand command, StringBuilder trace)
    {
        trace.Append(command.Op)
            .Append(" s=").Append(ResumableParse.Show(command.Subject))
            .Append(" r=").Append(ResumableParse.Show(command.Reply))
            .Append(" q=").Append(ResumableParse.Show(command.Queue))
            .Append(" sid=").Append(ResumableParse.Show(command.Sid))
            .Append(" j=").Append(command.Json.Length)
            .Append(" h=").Append(command.HeaderSize)
            .Append(" t=").Append(command.TotalSize)
            .Append(" m=").Append(command.MaxMessages)
            .Append(" p=").Append(ResumableParse.Show(command.Payload))
            .Append('\n');
        if (command.Op is ClientOp.Pub or ClientOp.HPub && command.Payload.Length != command.TotalSize)
        {
            throw new FuzzFinding($"{command.Op} of size {command.TotalSize} delivered a payload of {command.Payload.Length} bytes");
        }

        if (command.Op == ClientOp.Connect)
        {
            trace.Append(ConnectOptions.Parse(command.Json) is null ? "  connect json rejected\n" : "  connect json ok\n");
        }
    }
}
