using NATS.Client.Core;

namespace Modular.Testing;

/// <summary>
/// A reply routed back across a gateway (<c>_GR_.&lt;cluster hash&gt;.&lt;server hash&gt;.&lt;reply&gt;</c>)
/// that arrives at a server of the origin cluster other than the one that sent the request goes
/// over the route to that server only, by its server hash (nats-server's handleGatewayReply).
/// </summary>
public static class GatewayReplyRouting
{
    /// <summary>
    /// Cluster A: two Modular servers; cluster B: one server of <paramref name="responderProgram"/>
    /// that lists only A's second server, so B's outbound gateway lands there. A request from A's
    /// first server is answered by B: the answer reaches the requester, and a subscriber on A's
    /// second server to the same reply subject sees nothing (the reply was forwarded, not
    /// delivered by interest there).
    /// </summary>
    public static async Task AssertReplyRoutedToOriginAsync(NodeProgram responderProgram)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync(
            [NodeProgram.Modular, NodeProgram.Modular],
            [responderProgram],
            SuperCluster.GatewayDialing.BOnly,
            adjust: (cluster, _, spec) => cluster == "B" ? spec with { Gateways = spec.Gateways.Select(g => (g.Name, (IReadOnlyList<int>)g.Ports.Skip(1).ToList())).ToList() } : spec,
            cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);
        var a1 = super.A[0].Embedded!;
        var a2 = super.A[1].Embedded!;
        if (a2.Gateways!.GetInbound().All(c => c.RemoteCluster != "B") || a1.Gateways!.GetInbound().Any(c => c.RemoteCluster == "B"))
        {
            throw new InvalidOperationException($"B's outbound gateway should reach a2 only\n{super.Describe()}");
        }

        var subject = "svc." + Guid.NewGuid().ToString("N");
        var reply = "answer." + Guid.NewGuid().ToString("N");
        await using var responder = await Clients.ConnectAsync(super.B[0], ct);
        await using var requester = await Clients.ConnectAsync(super.A[0], ct);
        await using var snooper = await Clients.ConnectAsync(super.A[1], ct);
        await using var service = await responder.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await using var answers = await requester.SubscribeCoreAsync<string>(reply, cancellationToken: ct);
        await using var snooped = await snooper.SubscribeCoreAsync<string>("answer.>", cancellationToken: ct);
        var answering = Task.Run(
            async () =>
            {
                await foreach (var message in service.Msgs.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    if (message.ReplyTo is { } to)
                    {
                        await responder.PublishAsync(to, to, cancellationToken: ct).ConfigureAwait(false);
                    }
                }
            },
            ct);
        await Propagation.AwaitInterestAsync(requester, responder, ct);
        // The reply subscriptions must be known in all of A (a2 would deliver by interest if it did).
        await Propagation.AwaitInterestAsync(snooper, requester, ct);
        await Propagation.AwaitInterestAsync(requester, snooper, ct);
        Clients.Drain(answers);
        Clients.Drain(snooped);

        const int requests = 5;
        for (var i = 0; i < requests; i++)
        {
            await requester.PublishAsync(subject, "ping", replyTo: reply, cancellationToken: ct);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromSeconds(5));
            var answer = await answers.Msgs.ReadAsync(wait.Token);
            if (answer.Data != reply)
            {
                throw new InvalidOperationException($"the responder saw reply {answer.Data}, not {reply}");
            }
        }

        // The barrier crosses the same gateway connection as the replies: what a2 delivered of them came first.
        await Propagation.BarrierAsync(responder, snooper, ct);
        var leaked = Clients.Drain(snooped).Where(m => m.Subject == reply).ToList();
        await service.UnsubscribeAsync();
        await answering;
        if (leaked.Count != 0)
        {
            throw new InvalidOperationException($"{leaked.Count} of {requests} replies were delivered on a2, which is not the requester's server\n{super.Describe()}");
        }
    }
}
