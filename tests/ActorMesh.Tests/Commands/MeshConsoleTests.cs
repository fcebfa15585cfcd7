using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ActorMesh.Tests.Mesh;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Commands;

/// <summary>
/// Two real mesh node processes (SQLite data directories, the first seeding), with a <c>cluster tail</c> started on the
/// first before the second joined.
/// </summary>
public sealed partial class TwoNodeMeshFixture : IAsyncLifetime
{
    internal TestUpstream Upstream { get; private set; } = null!;

    internal ConsoleNode First { get; private set; } = null!;

    internal ConsoleNode Second { get; private set; } = null!;

    internal CmdProcess Tail { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = TestUpstream.Answering("ok");
        var seedPort = FreePort();
        var seed = $"akka.tcp://actormesh@127.0.0.1:{seedPort}";
        First = await ConsoleNode.StartAsync(MeshVersions.Version(1, Upstream.Port), Flags(seed, seedPort));
        Tail = CmdProcess.Start([$"127.0.0.1:{First.CmdPort}", "cluster", "tail"]);
        await Tail.WaitForOutput("watching membership events", ConsoleNode.StartTimeout);
        Second = await ConsoleNode.StartAsync(null, Flags(seed, 0));
    }

    public async Task DisposeAsync()
    {
        Tail.Dispose();
        Second?.Dispose();
        First?.Dispose();
        await Upstream.DisposeAsync();
    }

    internal static string AddressOf(ConsoleNode node) => NodeAddress().Match(node.Process.Stdout).Groups[1].Value;

    internal static string Web(ConsoleNode node) => $"http://127.0.0.1:{node.ListenerPort("web")}/";

    private static string[] Flags(string seed, int port) =>
    [
        "--seed", seed, "--cluster-port", port.ToString(CultureInfo.InvariantCulture), "--data-dir", Path.Combine(ConsoleNode.DirectoryPlaceholder, "data"),
        "--admin-address", "127.0.0.1:0", "--bind-address", "127.0.0.1",
    ];

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"mesh node (akka\.tcp://\S+) serving")]
    private static partial Regex NodeAddress();
}

/// <summary>
/// <c>actormesh-cmd</c> against a two-node mesh: membership (show, tail), stats summed over both nodes, and config
/// versions applied and rolled back through the console as the nodes' served traffic shows them.
/// </summary>
public sealed class MeshConsoleTests(TwoNodeMeshFixture mesh) : IClassFixture<TwoNodeMeshFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Cluster_tail_sees_the_second_node_join_and_stops_on_ctrl_c()
    {
        var second = TwoNodeMeshFixture.AddressOf(mesh.Second);
        await mesh.Tail.WaitForOutput($"MemberUp {second} Up", Bound);
        Assert.Contains($"member {TwoNodeMeshFixture.AddressOf(mesh.First)} Up", mesh.Tail.Stdout, StringComparison.Ordinal);

        mesh.Tail.Interrupt();
        Assert.Equal(0, await mesh.Tail.WaitForExit(Bound));
    }

    [Fact]
    public async Task Cluster_show_lists_both_members_with_the_leader_the_singleton_and_each_applied_version()
    {
        var rows = await Eventually.UntilAsync(
            async () => (await mesh.Second.Cmd("--json", "cluster", "show")).Json,
            r => r.Count == 2 && r.All(m => (string?)m["status"] == "Up" && m["config_version"] is not null),
            Bound, r => "cluster show: " + string.Join("\n", r ?? []));

        Assert.Equal(
            new[] { TwoNodeMeshFixture.AddressOf(mesh.First), TwoNodeMeshFixture.AddressOf(mesh.Second) }.Order(StringComparer.Ordinal),
            rows.Select(m => (string)m["address"]!).Order(StringComparer.Ordinal));
        Assert.Single(rows, m => (bool)m["leader"]!);
        // The ConfigStore singleton runs on the oldest member: the first node.
        Assert.Equal(TwoNodeMeshFixture.AddressOf(mesh.First), (string?)rows.Single(m => (bool)m["singleton"]!)["address"]);
        Assert.All(rows, m => Assert.Equal("reachable", (string?)m["reachability"]));

        var table = await mesh.First.Cmd("cluster", "show");
        Assert.True(table.Exit == 0, table.ToString());
        Assert.Equal(4, table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Mesh_stats_cluster_wide_sums_the_counters_of_both_nodes()
    {
        using var http = new HttpClient { Timeout = Bound };
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(TwoNodeMeshFixture.Web(mesh.First) + "stable")).StatusCode);
        }
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(TwoNodeMeshFixture.Web(mesh.Second) + "stable")).StatusCode);
        }
        const string filter = "^cluster\\.app\\.upstream_rq_total$";
        var first = (long)(await mesh.First.Cmd("--json", "mesh", "stats", "--filter", filter)).Json.Single()["value"]!;
        var second = (long)(await mesh.Second.Cmd("--json", "mesh", "stats", "--filter", filter)).Json.Single()["value"]!;
        Assert.True(first >= 3 && second >= 2, $"first {first}, second {second}");

        var summed = await mesh.Second.Cmd("--json", "mesh", "stats", "--cluster-wide", "--filter", filter);
        Assert.True(summed.Exit == 0, summed.ToString());
        var row = summed.Json.Single(o => o.ContainsKey("name"));
        Assert.Equal(first + second, (long)row["value"]!);
        Assert.Equal(2, (int)row["nodes"]!);
        Assert.Contains("summed over 2 node(s)", (string?)summed.Json.Single(o => o.ContainsKey("line"))["line"], StringComparison.Ordinal);

        var table = await mesh.First.Cmd("mesh", "stats", "--cluster-wide", "-f", filter);
        Assert.Matches($@"cluster\.app\.upstream_rq_total\s+{first + second}\s+2", table.Stdout);
    }

    [Fact]
    public async Task Config_apply_then_rollback_through_the_console_reach_both_nodes_traffic()
    {
        var v2 = mesh.First.WriteFile("v2.yaml", MeshVersions.Version(2, mesh.Upstream.Port));
        var applied = await mesh.First.Cmd("config", "apply", v2, "--comment", "v2 from the console");
        Assert.True(applied.Exit == 0, applied.ToString());
        Assert.Contains("stored as config version 2", applied.Stdout, StringComparison.Ordinal);
        await BothServe("v2", "v1");

        var history = (await mesh.Second.Cmd("--json", "config", "history")).Json;
        Assert.Equal([1L, 2L], history.Select(h => (long)h["version"]!));
        Assert.Equal("v2 from the console", (string?)history[1]["comment"]);
        Assert.StartsWith("cmd@akka.tcp://actormesh@127.0.0.1:", (string?)history[1]["author"], StringComparison.Ordinal);

        var diff = await mesh.Second.Cmd("config", "diff", "1", "2");
        Assert.Matches("(?m)^-\\s+- match: { path: \"/v1\" }$", diff.Stdout);
        Assert.Matches("(?m)^\\+\\s+- match: { path: \"/v2\" }$", diff.Stdout);
        var fileDiff = await mesh.Second.Cmd("config", "diff", mesh.First.WriteFile("v3.yaml", MeshVersions.Version(3, mesh.Upstream.Port)));
        Assert.Matches("(?m)^\\+\\s+- match: { path: \"/v3\" }$", fileDiff.Stdout);
        var show = await mesh.Second.Cmd("config", "show", "1");
        Assert.Contains("# version 1 by file@", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("path: \"/v1\"", show.Stdout, StringComparison.Ordinal);

        var rolledBack = await mesh.Second.Cmd("config", "rollback", "1", "-m", "back to one");
        Assert.True(rolledBack.Exit == 0, rolledBack.ToString());
        Assert.Contains("stored as config version 3 with the content of version 1", rolledBack.Stdout, StringComparison.Ordinal);
        await BothServe("v1", "v2");

        var status = await Eventually.UntilAsync(
            async () => (await mesh.First.Cmd("--json", "config", "status")).Json,
            s => s.Count == 2 && s.All(n => (long?)n["version"] == 3),
            Bound, s => "config status: " + string.Join("\n", s ?? []));
        Assert.All(status, n => Assert.Null(n["last_nack"]));
        var unknown = await mesh.First.Cmd("config", "rollback", "99");
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("99", unknown.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Each node, on new connections, answers <paramref name="served"/> and 404s <paramref name="gone"/>.</summary>
    private async Task BothServe(string served, string gone)
    {
        foreach (var node in new[] { mesh.First, mesh.Second })
        {
            await Eventually.UntilAsync(() => StatusOf(TwoNodeMeshFixture.Web(node) + served), s => s == HttpStatusCode.OK, Bound, s => $"/{served} answered {s}");
            Assert.Equal(HttpStatusCode.NotFound, await StatusOf(TwoNodeMeshFixture.Web(node) + gone));
        }
    }

    private static async Task<HttpStatusCode> StatusOf(string url)
    {
        using var client = new HttpClient { Timeout = Bound };
        using var response = await client.GetAsync(url);
        return response.StatusCode;
    }
}
