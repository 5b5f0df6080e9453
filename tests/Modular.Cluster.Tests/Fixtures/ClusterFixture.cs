using Modular.Testing;

namespace Modular.Cluster.Tests.Fixtures;

/// <summary>
/// A class fixture running one formed cluster for all tests of a class; tests use subjects of their
/// own so they do not see each other's traffic.
/// </summary>
public abstract class ClusterFixture : IAsyncLifetime
{
    private TestCluster? _cluster;

    protected abstract ClusterSpec Spec { get; }

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster fixture has not started");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        _cluster = await TestCluster.StartFormedAsync(Spec, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>Three modular nodes, full mesh, default pool (3 + pinned $SYS).</summary>
public sealed class ThreeNodeCluster : ClusterFixture
{
    protected override ClusterSpec Spec { get; } = new() { Size = 3, NamePrefix = "tri" };
}

/// <summary>Two modular nodes, default pool.</summary>
public sealed class TwoNodeCluster : ClusterFixture
{
    protected override ClusterSpec Spec { get; } = new() { Size = 2, NamePrefix = "duo" };
}

/// <summary>Three nodes, each with accounts A (user a) and B (user b).</summary>
public sealed class AccountsCluster : ClusterFixture
{
    public static readonly (string User, string Password) UserA = ("a", "pa");
    public static readonly (string User, string Password) UserB = ("b", "pb");

    protected override ClusterSpec Spec { get; } = new()
    {
        Size = 3,
        NamePrefix = "acc",
        Accounts = new Dictionary<string, (string User, string Password)[]>
        {
            ["A"] = [UserA],
            ["B"] = [UserB],
        },
    };
}

/// <summary>
/// Two nodes with pool_size 3 and accounts A, B, C, X (users a, b, c, x; password "p" + user).
/// With FNV-1a over the account name mod 3, A and B map to pool index 0, C to 1 and X to 2.
/// </summary>
public sealed class PoolAccountsCluster : ClusterFixture
{
    public static readonly string[] AccountNames = ["A", "B", "C", "X"];

    public static (string User, string Password) UserOf(string account) => (account.ToLowerInvariant(), "p" + account.ToLowerInvariant());

    protected override ClusterSpec Spec { get; } = new()
    {
        Size = 2,
        NamePrefix = "pool",
        PoolSize = 3,
        Accounts = AccountNames.ToDictionary(name => name, name => new[] { UserOf(name) }),
    };
}
