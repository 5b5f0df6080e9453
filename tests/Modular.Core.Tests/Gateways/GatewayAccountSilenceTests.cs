using Modular.Core.Gateways;

namespace Modular.Core.Tests.Gateways;

public class GatewayAccountSilenceTests
{
    [Fact]
    public void Add_SameAccountTwice_SaidOnce()
    {
        var silence = new GatewayAccountSilence();
        Assert.True(silence.IsEmpty);
        Assert.True(silence.Add("ACC"u8));
        Assert.False(silence.Add("ACC"u8));
        Assert.False(silence.IsEmpty);
        Assert.True(silence.Contains("ACC"u8));
        Assert.False(silence.Contains("AC"u8));
        Assert.False(silence.Contains("ACCX"u8));
    }

    [Fact]
    public void Remove_OneOfThree_OthersStay()
    {
        var silence = new GatewayAccountSilence();
        silence.Add("A"u8);
        silence.Add("B"u8);
        silence.Add("C"u8);
        Assert.True(silence.Remove("B"u8));
        Assert.False(silence.Remove("B"u8));
        Assert.Equal(["A", "C"], silence.Accounts);
        Assert.True(silence.Remove("A"u8));
        Assert.True(silence.Remove("C"u8));
        Assert.True(silence.IsEmpty);
    }

    [Fact]
    public void Add_EmptyAccount_Ignored()
    {
        var silence = new GatewayAccountSilence();
        Assert.False(silence.Add(default));
        Assert.True(silence.IsEmpty);
    }
}
