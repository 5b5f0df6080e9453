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

    /// <summary>
    /// LS+ for a leaf's interest to a peer that understands it (<paramref name="origin"/> set: the leaf's
    /// cluster), else RS+: <c>LS+ origin [acc] subject [queue weight]</c>.
    /// </summary>
    public static void AppendSubscribe(StringBuilder line, Account account, bool accountImplied, string subject, string? queue, int weight, string? origin)
    {
        if (origin is null)
        {
            AppendSubscribe(line, account, accountImplied, subject, queue, weight);
            return;
        }

        line.Append("LS+ ").Append(origin).Append(' ');
        AppendRest(line, account, accountImplied, subject, queue, weight);
    }

    public static void AppendSubscribe(StringBuilder line, Account account, bool accountImplied, string subject, string? queue, int weight)
    {
        line.Append("RS+ ");
        AppendRest(line, account, accountImplied, subject, queue, weight);
    }

    private static void AppendRest(StringBuilder line, Account account, bool accountImplied, string subject, string? queue, int weight)
    {
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

    /// <summary>
    /// LS- for a leaf's interest: with the origin to a peer that said lnocu, without it to one that said
    /// only lnoc (protocol.md §2.4); without an origin, RS-.
    /// </summary>
    public static byte[] Unsubscribe(Account account, bool accountImplied, string subject, string? queue, string? origin, bool withOrigin)
    {
        if (origin is null)
        {
            return Unsubscribe(account, accountImplied, subject, queue);
        }

        var line = new StringBuilder("LS- ");
        if (withOrigin)
        {
            line.Append(origin).Append(' ');
        }

        return Finish(line, account, accountImplied, subject, queue);
    }

    public static byte[] Unsubscribe(Account account, bool accountImplied, string subject, string? queue) =>
        Finish(new StringBuilder("RS- "), account, accountImplied, subject, queue);

    private static byte[] Finish(StringBuilder line, Account account, bool accountImplied, string subject, string? queue)
    {
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
