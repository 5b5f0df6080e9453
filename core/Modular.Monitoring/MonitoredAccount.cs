using Modular.Core.Subjects;

namespace Modular.Monitoring;

/// <summary>One account as the monitoring endpoints see it.</summary>
/// <param name="Name">The account name ("$G" for the global account).</param>
/// <param name="ClientCount">Client connections bound to it.</param>
/// <param name="Subscriptions">Its subject index counters; <c>Count</c> includes route subscriptions.</param>
/// <param name="UpdateTime">When the account was created or last changed, UTC.</param>
public sealed record MonitoredAccount(string Name, int ClientCount, SubscriptionIndexStats Subscriptions, DateTime UpdateTime);
