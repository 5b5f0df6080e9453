namespace Modular.Benchmarks.Workloads;

/// <summary>
/// Every benchmarked operation by name, for the allocation test (tests/Modular.Core.Tests), which
/// compiles these workload files too: the names are the benchmark methods' names, and each
/// delegate calls the very method its benchmark calls.
/// </summary>
public static class HotPathOperations
{
    public static IReadOnlyDictionary<string, Func<int>> Create()
    {
        var client = new ClientParserWorkload();
        var route = new RouteParserWorkload();
        var match = new SubjectMatchWorkload();
        var encoder = new EncoderWorkload();
        return new Dictionary<string, Func<int>>
        {
            ["ClientParser.Pub"] = client.Pub,
            ["ClientParser.PubWithReply"] = client.PubWithReply,
            ["ClientParser.HPub"] = client.HPub,
            ["ClientParser.Sub"] = client.Sub,
            ["ClientParser.SubQueue"] = client.SubQueue,
            ["ClientParser.PubAcrossSegments"] = client.PubAcrossSegments,
            ["RouteParser.Rmsg"] = route.Rmsg,
            ["RouteParser.RmsgWithReply"] = route.RmsgWithReply,
            ["RouteParser.RmsgWithQueues"] = route.RmsgWithQueues,
            ["RouteParser.RmsgPinnedAccount"] = route.RmsgPinnedAccount,
            ["RouteParser.RsPlus"] = route.RsPlus,
            ["RouteParser.RsPlusQueue"] = route.RsPlusQueue,
            ["SubjectMatch.LiteralCacheHit"] = match.LiteralCacheHit,
            ["SubjectMatch.WildcardCacheHit"] = match.WildcardCacheHit,
            ["SubjectMatch.NoInterestCacheHit"] = match.NoInterestCacheHit,
            ["SubjectMatch.LiteralCacheMiss"] = match.LiteralCacheMiss,
            ["Encoder.Msg16"] = encoder.Msg16,
            ["Encoder.Msg1K"] = encoder.Msg1K,
            ["Encoder.MsgWithReply"] = encoder.MsgWithReply,
            ["Encoder.HMsg"] = encoder.HMsg,
            ["Encoder.Rmsg16"] = encoder.Rmsg16,
            ["Encoder.Rmsg1K"] = encoder.Rmsg1K,
            ["Encoder.RmsgWithQueues"] = encoder.RmsgWithQueues,
            ["Encoder.RouteHMsg"] = encoder.RouteHMsg,
        };
    }
}
