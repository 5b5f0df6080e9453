using System.Text;
using Modular.Core.Accounts;

namespace Modular.Core.Routes.Interest;

/// <summary>RS+ and RS- lines; a pinned route's lines leave the account out (it is implied).</summary>
public static class InterestLines
{
    /// <summary>RS+, with the queue weight when a queue is given.</summary>
    public static byte[] Subscribe(Account account, bool accountImplied, string subject, string? queue, int weight)
    {
        var line = new StringBuilder();
        AppendSubscribe(line, account, accountImplied, subject, queue, weight);
        return Encoding.UTF8.GetBytes(line.ToString());
    }

    public static void AppendSubscribe(StringBuilder line, Account account, bool accountImplied, string subject, string? queue, int weight)
    {
        line.Append("RS+ ");
        if (!accountImplied)
        {
            line.Append(account.Name).Append(' ');
        }

        line.Append(subject);
        if (queue is not null)
        {
            line.Append(' ').Append(queue).Append(' ').Append(weight);
        }

        line.Append("\r\n");
    }

    public static byte[] Unsubscribe(Account account, bool accountImplied, string subject, string? queue)
    {
        var line = new StringBuilder("RS- ");
        if (!accountImplied)
        {
            line.Append(account.Name).Append(' ');
        }

        line.Append(subject);
        if (queue is not null)
        {
            line.Append(' ').Append(queue);
        }

        line.Append("\r\n");
        return Encoding.UTF8.GetBytes(line.ToString());
    }
}
