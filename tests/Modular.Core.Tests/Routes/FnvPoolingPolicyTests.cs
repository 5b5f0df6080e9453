using System.Text;
using Modular.Core.Routes;

namespace Modular.Core.Tests.Routes;

public class FnvPoolingPolicyTests
{
    [Theory]
    [InlineData("$G", 3, 2)]
    [InlineData("$G", 2, 0)]
    [InlineData("A", 2, 0)]
    [InlineData("B", 2, 1)]
    [InlineData("$SYS", 3, 0)]
    [InlineData("anything", 1, 0)]
    public void PoolIndexFor_NatsServerCheckValues_SameIndex(string account, int poolSize, int expected)
    {
        Assert.Equal(expected, FnvPoolingPolicy.Instance.PoolIndexFor(Encoding.UTF8.GetBytes(account), poolSize));
    }
}
