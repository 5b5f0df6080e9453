using System.Text.Json;
using NATS.Client.Core;
using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>User/password login into accounts, and what a failed or missing login gets.</summary>
public sealed class AuthTests(AccountsServer fixture) : IClassFixture<AccountsServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Connect_RightPassword_Served()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Serving.AssertServesAsync(Server, timeout.Token, AccountsServer.UserA, AccountsServer.PasswordA);
    }

    [Fact]
    public async Task Connect_WrongPassword_NatsClientFails()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;

        await Assert.ThrowsAnyAsync<NatsException>(async () =>
        {
            await using var connection = await Clients.ConnectAsync(Server, ct, AccountsServer.UserA, "not-the-password");
        });

        await Serving.AssertServesAsync(Server, ct, AccountsServer.UserA, AccountsServer.PasswordA);
    }

    [Fact]
    public async Task Connect_WrongPassword_RawSeesAuthorizationViolationAndClose()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);

        await raw.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false,\"user\":\"a\",\"pass\":\"wrong\"}\r\nPING\r\n", ct);

        await raw.ExpectLineAsync("^-ERR 'Authorization Violation'$", cancellationToken: ct);
        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
        await Serving.AssertServesAsync(Server, ct, AccountsServer.UserB, AccountsServer.PasswordB);
    }

    [Fact]
    public async Task Connect_UnknownUser_RawSeesAuthorizationViolation()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);

        await raw.SendAsync("CONNECT {\"verbose\":false,\"user\":\"nobody\",\"pass\":\"pa\"}\r\nPING\r\n", ct);

        await raw.ExpectLineAsync("^-ERR 'Authorization Violation'$", cancellationToken: ct);
        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
    }

    [Fact]
    public async Task Connect_NoCredentials_RawSeesAuthorizationViolation()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);

        await raw.SendAsync("CONNECT {\"verbose\":false}\r\nPING\r\n", ct);

        await raw.ExpectLineAsync("^-ERR 'Authorization Violation'$", cancellationToken: ct);
        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
    }

    [Fact]
    public async Task Info_AuthConfigured_AuthRequiredTrue()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var raw = await RawConnection.OpenClientAsync(Server, timeout.Token);

        using var info = raw.ParseInfo();

        Assert.True(info.RootElement.TryGetProperty("auth_required", out var required), $"INFO has no auth_required: {raw.InfoJson}");
        Assert.Equal(JsonValueKind.True, required.ValueKind);
    }
}
