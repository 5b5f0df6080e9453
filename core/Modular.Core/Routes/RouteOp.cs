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

    /// <summary>A+ / A- / Au: gateway interest-only mode, parsed and ignored on routes.</summary>
    AccountInterest,
}
