namespace Modular.Server.Tests.Cli;

/// <summary>What a packaged <c>modular</c> says about itself: the version and the commit it was built from.</summary>
public sealed class PackageVersionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("--version")]
    [InlineData("version")]
    public async Task Version_BuiltInGit_PrintsVersionAndCommit(string command)
    {
        var result = await ModularCli.RunAsync(Deadline, command);

        Assert.Equal(0, result.ExitCode);
        // The tests are built from a git checkout, so the SDK embedded the commit (a hex id, not "unknown").
        Assert.Matches(@"^modular \S+ commit [0-9a-f]{7,40} \(", result.StdOut);
    }
}
