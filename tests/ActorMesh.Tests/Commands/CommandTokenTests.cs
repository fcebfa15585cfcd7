using System.Net;
using ActorMesh.Commands;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Commands;

/// <summary>
/// The token: a host with one refuses a connection that does not present it (error frame, then closed); a node asked
/// to bind its command host beyond loopback without one refuses to start; where the token comes from.
/// </summary>
public sealed class CommandTokenTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_host_with_a_token_refuses_a_missing_or_wrong_one_and_serves_the_right_one()
    {
        await using var node = await CommandHostHarness.StartAsync(token: "s3cret-token");

        foreach (var (token, expected) in new (string?, string)[] { (null, "this command host requires a token"), ("guess", "wrong token") })
        {
            var (connection, refusal) = await RawCommandConnection.OpenWelcomedAsync(node.Port, token);
            using var _ = connection;
            Assert.Equal("error", (string?)refusal["type"]);
            Assert.Equal(expected, (string?)refusal["message"]);
            Assert.Null(await connection.ReadAsync());
        }

        var (welcomed, welcome) = await RawCommandConnection.OpenWelcomedAsync(node.Port, "s3cret-token");
        using (welcomed)
        {
            Assert.Equal("welcome", (string?)welcome["type"]);
        }

        var none = await CmdProcess.RunAsync(node.Port, "node", "ready");
        Assert.Equal(1, none.Exit);
        Assert.Contains("this command host requires a token", none.Stderr, StringComparison.Ordinal);
        var fromEnvironment = await CmdProcess.RunAsync(node.Port, new Dictionary<string, string> { ["ACTORMESH_CMD_TOKEN"] = "s3cret-token" }, "node", "ready");
        Assert.True(fromEnvironment.Exit == 0, fromEnvironment.ToString());
        Assert.Equal("LIVE", fromEnvironment.Stdout.Trim());
        var file = Path.Combine(Path.GetTempPath(), $"actormesh-token-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "s3cret-token\n");
        try
        {
            var fromFile = await CmdProcess.RunAsync(node.Port, "--token-file", file, "node", "ready");
            Assert.True(fromFile.Exit == 0, fromFile.ToString());
            var wrongEnvironment = await CmdProcess.RunAsync(node.Port, new Dictionary<string, string> { ["ACTORMESH_CMD_TOKEN"] = "nope" }, "node", "ready");
            Assert.Equal(1, wrongEnvironment.Exit);
            Assert.Contains("wrong token", wrongEnvironment.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_node_whose_command_host_is_not_on_loopback_refuses_to_start_without_a_token()
    {
        // It exits while checking its flags, before its actor system exists: nothing is bound on 0.0.0.0.
        using var node = NodeProcess.Start("--cmd-host", "0.0.0.0", "--cmd-port", "0");
        Assert.Equal(1, await node.WaitForExit(Bound));
        Assert.Contains("command host: 0.0.0.0 is not a loopback address, so it needs a token", node.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listener", node.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", null, null)]
    [InlineData("127.0.0.2", null, null)]
    [InlineData("::1", null, null)]
    [InlineData("0.0.0.0", null, "needs a token")]
    [InlineData("10.1.2.3", "from-env", null)]
    [InlineData("localhost", null, "'localhost' is not an IP address")]
    public void Loopback_is_any_address_IPAddress_IsLoopback_accepts(string host, string? environmentToken, string? error)
    {
        var settings = CommandHostSettings.Resolve(null, host, 0, null, name => name == CommandHostSettings.TokenVariable ? environmentToken : null, out var message);
        if (error is null)
        {
            Assert.NotNull(settings);
            Assert.Equal(environmentToken, settings.Token);
            Assert.Equal(IPAddress.Parse(host), settings.Host);
        }
        else
        {
            Assert.Null(settings);
            Assert.Contains(error, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_token_file_flag_wins_over_hocon_and_the_environment_and_its_first_line_is_the_token()
    {
        var file = Path.Combine(Path.GetTempPath(), $"actormesh-token-{Guid.NewGuid():N}");
        File.WriteAllText(file, "  from-file  \nsecond line\n");
        try
        {
            var hocon = Akka.Configuration.ConfigurationFactory.ParseString("actormesh.cmd { host = 127.0.0.1, port = 9555, token-file = \"/nonexistent\" }");
            var settings = CommandHostSettings.Resolve(hocon, null, null, file, _ => "from-env", out _)!;
            Assert.Equal("from-file", settings.Token);
            Assert.Equal(9555, settings.Port);
            Assert.True(settings.Accepts("from-file"));
            Assert.False(settings.Accepts("from-fil"));
            Assert.False(settings.Accepts(null));

            Assert.Null(CommandHostSettings.Resolve(hocon, null, null, null, _ => null, out var error));
            Assert.Contains("cannot read the token file /nonexistent", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
