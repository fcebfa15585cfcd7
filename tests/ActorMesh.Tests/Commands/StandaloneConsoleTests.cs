using System.Net;
using ActorMesh.Tests.Mesh;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Commands;

/// <summary>A standalone node process (a cluster of one) and its upstream, shared by <see cref="StandaloneConsoleTests"/>.</summary>
public sealed class StandaloneNodeFixture : IAsyncLifetime
{
    internal TestUpstream Upstream { get; private set; } = null!;

    internal ConsoleNode Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = TestUpstream.Answering("from upstream");
        Node = await ConsoleNode.StartAsync(ProxyHarness.SimpleConfig(Upstream.Port));
    }

    public async Task DisposeAsync()
    {
        Node.Dispose();
        await Upstream.DisposeAsync();
    }
}

/// <summary>
/// <c>actormesh-cmd</c> (the real client process) against a real standalone <c>actormesh</c> node: palettes and
/// validation, the data plane's listeners, routes, clusters and stats, config validate and apply reaching served
/// traffic, log level, and <c>mesh top</c> until Ctrl-C.
/// </summary>
public sealed class StandaloneConsoleTests(StandaloneNodeFixture fixture) : IClassFixture<StandaloneNodeFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private ConsoleNode Node => fixture.Node;

    private string Web => $"http://127.0.0.1:{Node.ListenerPort("main")}/";

    [Fact]
    public async Task Help_lists_the_palettes_and_the_client_refuses_unknown_commands_and_bad_values_with_what_exists()
    {
        var listing = await Node.Cmd("help");
        Assert.True(listing.Exit == 0, listing.ToString());
        Assert.Contains("cluster show", listing.Stdout, StringComparison.Ordinal);
        Assert.Contains("mesh stats [--filter REGEX] [--cluster-wide]", listing.Stdout, StringComparison.Ordinal);
        Assert.Contains("log level [LOGGER] LEVEL", listing.Stdout, StringComparison.Ordinal);

        var unknownModule = await Node.Cmd("frobnicate", "now");
        Assert.Equal(2, unknownModule.Exit);
        Assert.Contains("unknown command 'frobnicate'; modules: cluster, config, log, mesh, node", unknownModule.Stderr, StringComparison.Ordinal);

        var unknownCommand = await Node.Cmd("mesh", "nodes");
        Assert.Equal(2, unknownCommand.Exit);
        Assert.Contains("mesh commands: listeners, routes, clusters, stats, top", unknownCommand.Stderr, StringComparison.Ordinal);

        var badValue = await Node.Cmd("log", "level", "loud");
        Assert.Equal(2, badValue.Exit);
        Assert.Contains("'loud' is not an allowed value of LEVEL; one of: trace, debug, info, warning, error, critical", badValue.Stderr, StringComparison.Ordinal);

        var badSwitch = await Node.Cmd("mesh", "stats", "--verbose");
        Assert.Equal(2, badSwitch.Exit);
        Assert.Contains("usage: mesh stats [--filter REGEX] [--cluster-wide]", badSwitch.Stderr, StringComparison.Ordinal);

        var typo = await Node.Cmd("mesh", "stat");
        Assert.Equal(2, typo.Exit);
        Assert.Contains("unknown command 'mesh stat'; mesh commands: listeners, routes, clusters, stats, top; did you mean 'mesh stats'?", typo.Stderr, StringComparison.Ordinal);

        var command = await Node.Cmd("help", "log", "level");
        Assert.True(command.Exit == 0, command.ToString());
        Assert.Contains("log level [LOGGER] LEVEL", command.Stdout, StringComparison.Ordinal);
        Assert.Contains("LEVEL   the level; one of: trace, debug, info, warning, error, critical", command.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_show_on_a_standalone_node_is_a_cluster_of_one_in_a_table_and_in_json()
    {
        var table = await Node.Cmd("cluster", "show");
        Assert.True(table.Exit == 0, table.ToString());
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["address", "status", "roles", "app_version", "reachability", "config_version", "leader", "singleton"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(lines[2], @"^akka\.tcp://actormesh@127\.0\.0\.1:\d+\s+Up\s+0\.1\.0\s+reachable\s+\d+\s+yes\s+no$"), table.Stdout);

        var json = await Node.Cmd("--json", "cluster", "show");
        var member = Assert.Single(json.Json);
        Assert.Equal("Up", (string?)member["status"]);
        Assert.True((bool?)member["leader"]);
        Assert.False((bool?)member["singleton"]);
        // Another test may have applied a version: the one the admin reports is the one shown.
        Assert.Equal(await ServedVersionAsync(), (long?)member["config_version"]);
    }

    private async Task<long> ServedVersionAsync()
    {
        using var http = new HttpClient { Timeout = Bound };
        var info = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{Node.AdminPort}/server_info"))!;
        return long.Parse((string)info["config_version"]!, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Mesh_listeners_routes_clusters_and_stats_show_the_served_data_plane()
    {
        using var http = new HttpClient { Timeout = Bound };
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("from upstream", await http.GetStringAsync(Web + "stats-" + i));
        }
        var before = (long)(await Node.Cmd("--json", "mesh", "clusters")).Json.Single()["rq_total"]!;

        var listeners = (await Node.Cmd("--json", "mesh", "listeners")).Json;
        Assert.Equal("main", (string?)listeners.Single()["name"]);
        Assert.Equal($"127.0.0.1:{Node.ListenerPort("main")}", (string?)listeners.Single()["address"]);
        Assert.Equal("ingress_http", (string?)listeners.Single()["stat_prefix"]);

        var routes = await Node.Cmd("mesh", "routes", "--listener", "main");
        Assert.True(routes.Exit == 0, routes.ToString());
        Assert.Contains($"listener main on 127.0.0.1:{Node.ListenerPort("main")}", routes.Stdout, StringComparison.Ordinal);
        Assert.Contains("    virtual_host all domains [*]", routes.Stdout, StringComparison.Ordinal);
        Assert.Contains("      prefix / -> cluster backend", routes.Stdout, StringComparison.Ordinal);
        var noListener = await Node.Cmd("mesh", "routes", "-l", "nope");
        Assert.Equal(1, noListener.Exit);
        Assert.Contains("no listener 'nope'; listeners: main", noListener.Stderr, StringComparison.Ordinal);

        var clusters = (await Node.Cmd("--json", "mesh", "clusters")).Json.Single();
        Assert.Equal("backend", (string?)clusters["cluster"]);
        Assert.Equal($"127.0.0.1:{fixture.Upstream.Port}", (string?)clusters["endpoint"]);
        Assert.Equal("healthy", (string?)clusters["health"]);
        Assert.Equal(0, (long?)clusters["rq_active"]);
        Assert.False((bool?)clusters["ejected"]);
        Assert.True(before >= 3, $"rq_total {before}");

        var stats = await Node.Cmd("mesh", "stats", "--filter", "^cluster\\.backend\\.upstream_rq_total$");
        Assert.True(stats.Exit == 0, stats.ToString());
        Assert.Matches(@"cluster\.backend\.upstream_rq_total\s+\d+", stats.Stdout);
        var statsJson = (await Node.Cmd("--json", "mesh", "stats", "-f", "upstream_rq_total$")).Json;
        var total = statsJson.Single(s => (string?)s["name"] == "cluster.backend.upstream_rq_total");
        Assert.True((long)total["value"]! >= 3);
        var badRegex = await Node.Cmd("mesh", "stats", "--filter", "(");
        Assert.Equal(1, badRegex.Exit);
        Assert.Contains("invalid --filter regex", badRegex.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_validate_refuses_a_broken_file_and_config_apply_reaches_served_traffic()
    {
        using var http = new HttpClient { Timeout = Bound };
        var broken = Node.WriteFile("broken.yaml", ProxyHarness.SimpleConfig(fixture.Upstream.Port).Replace("connect_timeout: 1s", "connect_timeout: 1s\n    bogus_field: 1", StringComparison.Ordinal));
        var validate = await Node.Cmd("config", "validate", broken);
        Assert.Equal(1, validate.Exit);
        Assert.Contains("static_resources.clusters[0].bogus_field (line", validate.Stderr, StringComparison.Ordinal);
        var refused = await Node.Cmd("config", "apply", broken);
        Assert.Equal(1, refused.Exit);

        var next = Node.WriteFile("next.yaml", ProxyHarness.ConfigWith(
            "routes:\n- match: { path: \"/console\" }\n  direct_response: { status: 200, body: { inline_string: \"applied by the console\" } }\n- match: { prefix: \"/\" }\n  route: { cluster: backend }",
            [fixture.Upstream.Port]));
        Assert.Equal(0, (await Node.Cmd("config", "validate", next)).Exit);
        var applied = await Node.Cmd("config", "apply", next, "--comment", "console route");
        Assert.True(applied.Exit == 0, applied.ToString());
        Assert.Contains("a standalone node keeps no history", applied.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"config version \d+ applied on this node", applied.Stdout);
        Assert.Equal("applied by the console", await http.GetStringAsync(Web + "console"));

        var status = (await Node.Cmd("--json", "config", "status")).Json.Single();
        Assert.Equal("cmd", (string?)status["source"]);
        Assert.True((long)status["version"]! >= 2);

        var show = await Node.Cmd("config", "show");
        Assert.Equal(1, show.Exit);
        Assert.Contains("this node runs standalone and keeps no config history", show.Stderr, StringComparison.Ordinal);
        var missing = await Node.Cmd("config", "apply", Path.Combine(Node.Directory.Path, "missing.yaml"));
        Assert.Equal(1, missing.Exit);
        Assert.Contains("cannot read", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_level_changes_the_nodes_level_as_the_admin_reports_it()
    {
        using var http = new HttpClient { Timeout = Bound };
        var debug = await Node.Cmd("log", "level", "debug");
        Assert.True(debug.Exit == 0, debug.ToString());
        Assert.Equal("akka: debug", debug.Stdout.Trim());
        Assert.Contains("akka: debug", await http.GetStringAsync($"http://127.0.0.1:{Node.AdminPort}/logging"), StringComparison.Ordinal);

        var info = await Node.Cmd("log", "level", "akka", "info");
        Assert.Equal("akka: info", info.Stdout.Trim());
        Assert.Contains("akka: info", await http.GetStringAsync($"http://127.0.0.1:{Node.AdminPort}/logging"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mesh_top_refreshes_every_second_until_ctrl_c_then_exits_zero()
    {
        using var top = CmdProcess.Start([$"127.0.0.1:{Node.CmdPort}", "--json", "mesh", "top"]);
        await top.WaitForOutput("\"cluster\":\"backend\"", Bound);
        using var http = new HttpClient { Timeout = Bound };
        await Eventually.UntilAsync(async () =>
        {
            await http.GetStringAsync(Web + "top");
            return top.Stdout;
        }, s => s.Split('\n').Any(l => l.Contains("\"cluster\":\"backend\"", StringComparison.Ordinal) && !l.Contains("\"rq_per_s\":0,", StringComparison.Ordinal)), Bound, s => "no request rate in:\n" + s);

        top.Interrupt();
        Assert.Equal(0, await top.WaitForExit(Bound));
        Assert.Contains("\"p99_ms\"", top.Stdout, StringComparison.Ordinal);
    }
}
