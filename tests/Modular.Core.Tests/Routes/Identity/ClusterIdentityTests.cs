using Modular.Core.Routes.Identity;

namespace Modular.Core.Tests.Routes.Identity;

public class ClusterIdentityTests
{
    [Fact]
    public void New_NoConfiguredName_DynamicGeneratedName()
    {
        var identity = new ClusterIdentity(null);
        Assert.True(identity.IsDynamic);
        Assert.Equal(22, identity.Name.Length);
    }

    [Theory]
    [InlineData("static", false, "other", false, ClusterIdentity.Adoption.Conflict, "static")]
    [InlineData("static", false, "static", false, ClusterIdentity.Adoption.Same, "static")]
    [InlineData("static", false, "", false, ClusterIdentity.Adoption.Conflict, "static")]
    public void TryAdopt_StaticName_NeverChanges(string ours, bool _, string theirs, bool theirsDynamic, ClusterIdentity.Adoption expected, string after)
    {
        var identity = new ClusterIdentity(ours);
        Assert.Equal(expected, identity.TryAdopt(theirs, theirsDynamic));
        Assert.Equal(after, identity.Name);
        Assert.False(identity.IsDynamic);
    }

    [Fact]
    public void TryAdopt_DynamicMeetsStatic_AdoptsAndBecomesStatic()
    {
        var identity = new ClusterIdentity(null);
        Assert.Equal(ClusterIdentity.Adoption.Adopted, identity.TryAdopt("prod", theirsDynamic: false));
        Assert.Equal(("prod", false), identity.Current);
    }

    [Fact]
    public void TryAdopt_TwoDynamic_ConvergeOnTheLargerName()
    {
        var a = new ClusterIdentity(null);
        var b = new ClusterIdentity(null);
        var (nameA, nameB) = (a.Name, b.Name);
        var aAdopts = a.TryAdopt(nameB, theirsDynamic: true);
        var bAdopts = b.TryAdopt(nameA, theirsDynamic: true);
        Assert.Equal(a.Name, b.Name);
        Assert.Equal(string.CompareOrdinal(nameA, nameB) > 0 ? nameA : nameB, a.Name);
        Assert.NotEqual(aAdopts, bAdopts);
        Assert.True(a.IsDynamic);
    }
}
