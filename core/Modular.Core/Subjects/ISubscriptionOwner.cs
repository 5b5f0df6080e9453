namespace Modular.Core.Subjects;

/// <summary>The connection a subscription belongs to (a client now; a route once clustering lands).</summary>
public interface ISubscriptionOwner
{
    /// <summary>The connection id (cid or rid).</summary>
    ulong Id { get; }
}
