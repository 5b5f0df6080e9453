using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Core.Clients;
using Modular.Core.Config;
using Modular.Core.Server;
using Xunit.Abstractions;

namespace Modular.Core.Tests.Clients;

/// <summary>
/// What one client subscription costs in managed heap: 50,000 SUBs of distinct subjects from one
/// client, through the whole SUB path (parser → the client's sid table → the account's index and
/// its local-interest count), measured with GC.GetTotalMemory(true) around it. The subjects and
/// sids are those of scripts/measure-memory.sh.
/// </summary>
[Collection(Modular.Core.Tests.Subjects.HeapFootprintCollection.Name)]
public class LocalSubscriptionFootprintTests(ITestOutputHelper output)
{
    private const int Subscriptions = 50_000;

    [Fact]
    public async Task FiftyThousandClientSubscriptions_StayWithinTheBytesPerSubscriptionBudget()
    {
        var server = new NatsServer(new ModularOptions(), NullLoggerFactory.Instance);
        var connection = new PipeConnection();
        var client = new ClientConnection(server, connection, 1, NullLogger.Instance);
        var run = client.RunAsync();
        var index = server.Accounts.Global.Subscriptions;

        // The first SUB creates the account's index, its trie root and the client's sid table.
        await Send(connection, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB warm.up 0\r\n");
        Assert.True(SpinWait.SpinUntil(() => index.Count == 1, TimeSpan.FromSeconds(10)), "the first SUB was not processed");

        // The lines are made before the first reading, so only what the server keeps is counted.
        const int PerBatch = 1_000;
        var batches = new byte[Subscriptions / PerBatch][];
        for (int b = 0; b < batches.Length; b++)
        {
            var lines = new StringBuilder();
            for (int i = b * PerBatch; i < (b + 1) * PerBatch; i++)
            {
                lines.Append("SUB mem.s.").Append(i).Append(' ').Append(i + 1).Append("\r\n");
            }

            batches[b] = Encoding.ASCII.GetBytes(lines.ToString());
        }

        long before = GC.GetTotalMemory(forceFullCollection: true);
        foreach (var batch in batches)
        {
            await connection.ToServer.WriteAsync(batch); // parsed and applied inline on this thread
        }

        Assert.True(SpinWait.SpinUntil(() => index.Count == Subscriptions + 1, TimeSpan.FromSeconds(20)), $"{index.Count} of {Subscriptions + 1} subscriptions arrived");
        long after = GC.GetTotalMemory(forceFullCollection: true);
        double perSubscription = (after - before) / (double)Subscriptions;
        output.WriteLine($"{perSubscription:F0} bytes per client subscription");

        Assert.Equal(Subscriptions + 1, client.SubscriptionCount);
        Assert.InRange(perSubscription, 1, BudgetBytes);
        GC.KeepAlive(batches);

        await connection.DisposeAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    // Measured 343 (run alone): the subscription (80), its subject and sid arrays (40 + 32), its
    // entries in the sid set, the trie and the local-interest count (~190 with the tables' spare
    // room). 451 while the sid table kept a string key per sid, the local-interest count a string
    // per subject, and the subscription its owner in a third field. The budget leaves room for
    // runtime differences only.
    private const double BudgetBytes = 380;

    private static async Task Send(PipeConnection connection, string text) =>
        await connection.ToServer.WriteAsync(Encoding.ASCII.GetBytes(text));
}
