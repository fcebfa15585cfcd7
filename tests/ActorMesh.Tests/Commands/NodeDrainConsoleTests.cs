using System.Net;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Commands;

/// <summary><c>node ready</c> and <c>node drain</c> on a real node process (its own: a drained node serves no more).</summary>
public sealed class NodeDrainConsoleTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Node_drain_turns_the_node_draining_as_ready_and_the_admin_report_it()
    {
        await using var upstream = TestUpstream.Answering("ok");
        using var node = await ConsoleNode.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var http = new HttpClient { Timeout = Bound };

        var live = await node.Cmd("node", "ready");
        Assert.True(live.Exit == 0, live.ToString());
        Assert.Equal("LIVE", live.Stdout.Trim());

        var drain = await node.Cmd("node", "drain");
        Assert.True(drain.Exit == 0, drain.ToString());
        Assert.Contains("draining", drain.Stdout, StringComparison.Ordinal);

        using var ready = await http.GetAsync($"http://127.0.0.1:{node.AdminPort}/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("DRAINING", (await ready.Content.ReadAsStringAsync()).Trim());
        var draining = await node.Cmd("node", "ready");
        Assert.Equal(1, draining.Exit);
        Assert.Equal("DRAINING", draining.Stdout.Trim());
        Assert.Contains("already", (await node.Cmd("node", "drain")).Stdout, StringComparison.Ordinal);
    }
}
