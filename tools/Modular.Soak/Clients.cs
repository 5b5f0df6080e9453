using System.Threading.Channels;
using NATS.Client.Core;

namespace Modular.Soak;

/// <summary>Client connections of the soak: back-pressure instead of client-side drops, reconnect on.</summary>
public static class Clients
{
    public static async Task<NatsConnection> ConnectAsync(SoakNode node, string name)
    {
        var connection = new NatsConnection(NatsOpts.Default with
        {
            Url = node.ClientUrl,
            Name = name,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(5),
            CommandTimeout = TimeSpan.FromSeconds(10),
            SubPendingChannelCapacity = 8192,
            SubPendingChannelFullMode = BoundedChannelFullMode.Wait,
        });
        await connection.ConnectAsync();
        return connection;
    }

    /// <summary>Runs <paramref name="tick"/> <paramref name="perSecond"/> times a second (in batches every 20 ms) until cancelled.</summary>
    public static async Task PaceAsync(int perSecond, Func<ValueTask> tick, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var started = DateTime.UtcNow;
        long done = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var due = (long)((DateTime.UtcNow - started).TotalSeconds * perSecond);
                for (; done < due && !ct.IsCancellationRequested; done++)
                {
                    await tick();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
