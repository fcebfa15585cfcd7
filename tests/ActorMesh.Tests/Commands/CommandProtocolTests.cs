using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace ActorMesh.Tests.Commands;

/// <summary>
/// The command protocol at the socket: frames, hello and welcome, bad input closing the connection with an error
/// frame, and commands that fail without costing the connection.
/// </summary>
public sealed class CommandProtocolTests : IAsyncLifetime
{
    private CommandHostHarness _node = null!;

    public async Task InitializeAsync() => _node = await CommandHostHarness.StartAsync(maxCommands: 2);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task The_welcome_carries_the_node_and_its_palettes_as_data()
    {
        var (connection, welcome) = await RawCommandConnection.OpenWelcomedAsync(_node.Port);
        using var _ = connection;

        Assert.Equal("welcome", (string?)welcome["type"]);
        Assert.Equal(1, (int?)welcome["version"]);
        Assert.False(string.IsNullOrEmpty((string?)welcome["node"]));
        var palettes = welcome["palettes"]!.AsArray();
        // A node without the cluster provider serves no cluster palette.
        Assert.Equal(["mesh", "config", "node", "log"], palettes.Select(p => (string?)p!["module"]));
        var stats = palettes.Single(p => (string?)p!["module"] == "mesh")!["commands"]!.AsArray().Single(c => (string?)c!["name"] == "stats")!;
        var filter = stats["arguments"]!.AsArray().Single(a => (string?)a!["name"] == "filter")!;
        Assert.Equal(["-f", "--filter"], filter["switches"]!.AsArray().Select(s => (string?)s));
        var level = palettes.Single(p => (string?)p!["module"] == "log")!["commands"]![0]!["arguments"]!.AsArray().Single(a => (string?)a!["name"] == "level")!;
        Assert.Contains("debug", level["allowed_values"]!.AsArray().Select(v => (string?)v));
        Assert.True((bool?)level["required"]);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0 }, "bad frame length 0")]
    [InlineData(new byte[] { 0, 0x20, 0, 0 }, "bad frame length 2097152")]
    public async Task A_bad_frame_length_gets_an_error_frame_and_the_connection_closes(byte[] header, string expected)
    {
        using var connection = await RawCommandConnection.OpenAsync(_node.Port);
        await connection.SendBytesAsync(header);

        var error = await connection.ReadAsync();
        Assert.Equal("error", (string?)error!["type"]);
        Assert.Equal(0, (long?)error["id"]);
        Assert.Contains(expected, (string?)error["message"], StringComparison.Ordinal);
        Assert.Null(await connection.ReadAsync());
    }

    [Theory]
    [InlineData("{\"type\":\"hello\",", "bad JSON")]
    [InlineData("[1,2]", "one JSON object")]
    [InlineData("{\"type\":\"shout\",\"id\":1}", "unknown frame type \"shout\"")]
    [InlineData("{\"version\":1}", "needs a \"type\"")]
    [InlineData("{\"type\":\"run\",\"id\":1,\"command\":[\"node\",\"ready\"]}", "hello first")]
    [InlineData("{\"type\":\"hello\",\"version\":2}", "protocol version 2 is not supported")]
    public async Task A_frame_the_host_cannot_take_gets_an_error_frame_and_the_connection_closes(string json, string expected)
    {
        using var connection = await RawCommandConnection.OpenAsync(_node.Port);
        await connection.SendRawAsync(Encoding.UTF8.GetBytes(json));

        var error = await connection.ReadAsync();
        Assert.Equal("error", (string?)error!["type"]);
        Assert.Contains(expected, (string?)error["message"], StringComparison.Ordinal);
        Assert.Null(await connection.ReadAsync());
    }

    [Fact]
    public async Task A_failing_command_ends_with_its_error_and_status_and_the_connection_stays_usable()
    {
        var (connection, _) = await RawCommandConnection.OpenWelcomedAsync(_node.Port);
        using var _ = connection;

        await connection.SendAsync(Run(1, "mesh", "nonsense"));
        var unknown = await connection.ReadUntilEndAsync(1);
        Assert.Contains("unknown command 'mesh nonsense'; mesh commands: listeners, routes, clusters, stats, top", (string?)unknown[0]["message"], StringComparison.Ordinal);
        Assert.Equal(2, (int?)unknown[^1]["status"]);

        await connection.SendAsync(Run(2, "log", "level", new JsonObject { ["level"] = "loud" }));
        var badValue = await connection.ReadUntilEndAsync(2);
        Assert.Contains("'loud' is not an allowed value of LEVEL", (string?)badValue[0]["message"], StringComparison.Ordinal);
        Assert.Equal(2, (int?)badValue[^1]["status"]);

        await connection.SendAsync(Run(3, "config", "validate", new JsonObject { ["file"] = "envoy.yaml" }));
        var noContent = await connection.ReadUntilEndAsync(3);
        Assert.Contains("the content of file 'envoy.yaml' did not come with the command", (string?)noContent[0]["message"], StringComparison.Ordinal);

        // A standalone node keeps no history: config show fails as a command (status 1), not as a connection.
        await connection.SendAsync(Run(4, "config", "show"));
        var standalone = await connection.ReadUntilEndAsync(4);
        Assert.Contains("standalone", (string?)standalone[0]["message"], StringComparison.Ordinal);
        Assert.Equal(1, (int?)standalone[^1]["status"]);

        await connection.SendAsync(Run(5, "mesh", "listeners"));
        var listeners = await connection.ReadUntilEndAsync(5);
        Assert.Equal(["table", "row", "end"], listeners.Select(f => (string?)f["type"]));
        Assert.Equal("main", (string?)listeners[1]["cells"]![0]);
        Assert.Equal($"127.0.0.1:{_node.Proxy.Port("main")}", (string?)listeners[1]["cells"]![1]);
        Assert.Equal(0, (int?)listeners[^1]["status"]);
    }

    [Fact]
    public async Task A_long_running_command_streams_until_cancelled_and_commands_beyond_the_limit_are_refused()
    {
        var (connection, _) = await RawCommandConnection.OpenWelcomedAsync(_node.Port);
        using var _ = connection;

        await connection.SendAsync(Run(1, "mesh", "top"));
        await connection.SendAsync(Run(2, "mesh", "top"));
        await connection.SendAsync(Run(3, "mesh", "top"));
        var refused = await connection.ReadUntilEndAsync(3);
        Assert.Contains(refused, f => (string?)f["type"] == "error" && ((string?)f["message"])!.Contains("at most 2 commands", StringComparison.Ordinal));
        Assert.Equal(1, (int?)refused[^1]["status"]);

        // Two ticks of command 1's table, each with the cluster's row.
        var rows = 0;
        for (var i = 0; i < 200 && rows < 2; i++)
        {
            var frame = await connection.ReadAsync();
            if ((string?)frame!["type"] == "row" && (long?)frame["id"] == 1)
            {
                Assert.Equal("backend", (string?)frame["cells"]![0]);
                rows++;
            }
        }
        Assert.Equal(2, rows);

        await connection.SendAsync(new JsonObject { ["type"] = "cancel", ["id"] = 1 });
        await connection.SendAsync(new JsonObject { ["type"] = "cancel", ["id"] = 2 });
        var ends = new List<JsonObject>();
        for (var i = 0; i < 200 && ends.Count < 2; i++)
        {
            var frame = await connection.ReadAsync();
            if ((string?)frame!["type"] == "end")
            {
                ends.Add(frame);
            }
        }
        Assert.Equal([1L, 2L], ends.Select(e => (long)e["id"]!).Order());
        Assert.All(ends, e => Assert.Equal(0, (int?)e["status"]));

        // The connection still serves, and the slots are free again.
        await connection.SendAsync(Run(4, "node", "ready"));
        var ready = await connection.ReadUntilEndAsync(4);
        Assert.Equal("LIVE", (string?)ready.First(f => (string?)f["type"] == "line")["text"]);
        Assert.Equal(0, (int?)ready[^1]["status"]);
    }

    private static JsonObject Run(long id, string module, string command, JsonObject? args = null) => new()
    {
        ["type"] = "run",
        ["id"] = id,
        ["command"] = new JsonArray(module, command),
        ["args"] = args ?? new JsonObject(),
    };
}
