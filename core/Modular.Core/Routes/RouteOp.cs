namespace Modular.Core.Routes;

/// <summary>The operations a route peer may send.</summary>
public enum RouteOp
{
    None,
    Connect,
    Info,
    Ping,
    Pong,
    Ok,
    Err,

    /// <summary>RS+ (and LS+, which carries a leaf origin cluster).</summary>
    Subscribe,

    /// <summary>RS- (and LS-).</summary>
    Unsubscribe,

    /// <summary>RMSG, HMSG and LMSG.</summary>
    Message,

    /// <summary>A+ / A- (Weight 1 / -1, the account in Account): a gateway's interest in a whole account; ignored on routes.</summary>
    AccountInterest,
}
