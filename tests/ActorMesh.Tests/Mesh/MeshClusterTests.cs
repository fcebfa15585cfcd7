using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ActorMesh.Mesh;
using ActorMesh.Tests.Support;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Mesh;

/// <summary>
/// Three-node meshes in one process: real remoting, real DistributedData, the ConfigStore singleton on SQLite files,
/// real listeners on 127.0.0.1–3 and a real upstream.
/// </summary>
public sealed class MeshClusterTests : IAsyncLifetime
{
    /// <summary>The issue's promise: a version reaches every node within 2 s.</summary>
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Handover = TimeSpan.FromSeconds(30);

    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _data = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private TestUpstream _upstream = null!;

    public MeshClusterTests(ITestOutputHelper output) => _output = output;

    public Task InitializeAsync()
    {
        _upstream = TestUpstream.Answering("ok");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _upstream.DisposeAsync();
        _data.Dispose();
    }

    private Akka.Configuration.Config Sqlite(int node) => ConfigStorePersistence.Sqlite(Path.Combine(_data.Path, "node" + node));

    private string Version(int n, string extra = "") => MeshVersions.Version(n, _upstream.Port, extra);

    [Fact]
    public async Task A_version_applied_through_one_node_is_served_by_all_three_within_two_seconds()
    {
        await using var mesh = await MeshTestCluster.StartAsync(3, Sqlite, Version(1));
        await AssertServesAsync(mesh.Nodes, 1);

        var times = new List<double>();
        for (var v = 2; v <= 6; v++)
        {
            // Through the admin of a node that does not host the store: POST /config → the singleton → the table.
            var started = Stopwatch.GetTimestamp();
            using var response = await _http.PostAsync(new Uri(mesh.Nodes[1].Admin, "config"), new StringContent(Version(v)));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal(v.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)JsonNode.Parse(body)!["version_info"]);
            var took = await MeshTestCluster.AllOnVersionAsync(mesh.Nodes, v, Propagation, started);
            times.Add(took.TotalMilliseconds);
            await AssertServesAsync(mesh.Nodes, v);
        }
        times.Sort();
        var report = $"propagation to all 3 nodes (ms): {string.Join(", ", times.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}; median {times[times.Count / 2]:F0}, max {times[^1]:F0}";
        _output.WriteLine(report);
        Console.WriteLine("MeshClusterTests: " + report);
        Assert.All(times, t => Assert.True(t < Propagation.TotalMilliseconds, report));
    }

    [Fact]
    public async Task An_invalid_config_is_refused_by_the_store_with_its_yaml_path_and_line_and_changes_nothing()
    {
        await using var mesh = await MeshTestCluster.StartAsync(3, Sqlite, Version(1));
        var invalid = Version(2).Replace("    filter_chains:", "    bogus_field: 1\n    filter_chains:", StringComparison.Ordinal);

        using var response = await _http.PostAsync(new Uri(mesh.Nodes[2].Admin, "config"), new StringContent(invalid));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("static_resources.listeners[0].bogus_field (line 6)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var current = await mesh.Nodes[0].Mesh.StoreProxy.Ask<ConfigStoreProtocol.Current>(ConfigStoreProtocol.GetCurrent.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(1, current.Entry!.Version);
        Assert.All(mesh.Nodes, n => Assert.Equal(1, n.AppliedVersion));
    }

    [Fact]
    public async Task A_node_killed_hard_leaves_the_others_serving_and_the_singleton_moves()
    {
        await using var mesh = await MeshTestCluster.StartAsync(3, Sqlite, Version(1));
        Assert.Equal(2, (await mesh.Nodes[2].Mesh.Authority.ApplyAsync(Version(2), "test")).Version);
        await MeshTestCluster.AllOnVersionAsync(mesh.Nodes, 2, Propagation);

        // Each survivor's SQLite file holds its own copy of the history (either may host the store next).
        foreach (var node in mesh.Nodes.Skip(1))
        {
            await Eventually.UntilAsync(() => node.ReplicatedHistoryAsync(), h => h.Count == 2, Propagation, h => $"node {node.Index}'s replica holds {h?.Count} versions");
        }

        // Node 1 is the oldest and hosts the store; it crashes, and a survivor downs it (SBR would, after stable-after).
        var crashed = mesh.Nodes[0];
        await crashed.KillAsync();
        Akka.Cluster.Cluster.Get(mesh.Nodes[1].System).Down(crashed.Address);
        var survivors = mesh.Nodes.Skip(1).ToList();
        await AssertServesAsync(survivors, 2);

        // The next version goes through the moved singleton, whose SQLite journal never saw versions 1 and 2: it
        // imports them from its node's history replica, so numbering continues at 3 and the history is whole.
        var sw = Stopwatch.StartNew();
        var answer = await Eventually.UntilAsync(
            () => survivors[1].Mesh.Authority.ApplyAsync(Version(3), "test"),
            a => a.Version is not null,
            Handover,
            a => $"the moved store did not answer: {a}");
        _output.WriteLine($"store answered after the crash in {sw.ElapsedMilliseconds} ms with version {answer.Version}");
        Assert.Equal(3, answer.Version);
        await MeshTestCluster.AllOnVersionAsync(survivors, 3, Propagation);
        await AssertServesAsync(survivors, 3);
        Assert.DoesNotContain(survivors, n => n.Mesh.Server.Served.Status.LastNack is not null);
        Assert.StartsWith("file@", (await survivors[0].StoredVersionAsync(1)).Author, StringComparison.Ordinal);
        Assert.StartsWith("test@", (await survivors[0].StoredVersionAsync(2)).Author, StringComparison.Ordinal);
        Assert.Equal(Version(2), (await survivors[0].StoredVersionAsync(2)).Yaml);
    }

    [Fact]
    public async Task A_full_restart_led_by_a_node_that_never_hosted_the_store_restores_the_history_from_its_replica()
    {
        var file = Version(1);
        await using (var mesh = await MeshTestCluster.StartAsync(3, Sqlite, file))
        {
            for (var v = 2; v <= 3; v++)
            {
                Assert.Equal(v, (await mesh.Nodes[1].Mesh.Authority.ApplyAsync(Version(v), "test")).Version);
            }
            await MeshTestCluster.AllOnVersionAsync(mesh.Nodes, 3, Propagation);
            await Eventually.UntilAsync(() => mesh.Nodes[1].ReplicatedHistoryAsync(), h => h.Count == 3, Propagation, h => $"node 2's replica holds {h?.Count} versions");
        }

        // Node 2's data directory now starts first, so its empty store journal hosts the singleton; node 1's file is
        // offered again. The replica's history wins over both.
        await using var restarted = await MeshTestCluster.StartAsync(3, i => Sqlite(i switch { 1 => 2, 2 => 1, _ => i }), file);
        await MeshTestCluster.AllOnVersionAsync(restarted.Nodes, 3, Propagation);
        await AssertServesAsync(restarted.Nodes, 3);
        var history = await restarted.Nodes[0].Mesh.StoreProxy.Ask<ConfigStoreProtocol.History>(ConfigStoreProtocol.GetHistory.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal([1L, 2L, 3L], history.Entries.Select(e => e.Version));
        Assert.All(history.Entries.Skip(1), e => Assert.StartsWith("test@", e.Author, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_full_restart_serves_the_last_version_from_the_store_not_the_file()
    {
        var file = Version(1);
        await using (var mesh = await MeshTestCluster.StartAsync(3, Sqlite, file))
        {
            for (var v = 2; v <= 3; v++)
            {
                Assert.Equal(v, (await mesh.Nodes[0].Mesh.Authority.ApplyAsync(Version(v), "test")).Version);
            }
            await MeshTestCluster.AllOnVersionAsync(mesh.Nodes, 3, Propagation);
        }

        // The same data directories, and node 1 offers its file again: the store keeps version 3.
        await using var restarted = await MeshTestCluster.StartAsync(3, Sqlite, file);
        await MeshTestCluster.AllOnVersionAsync(restarted.Nodes, 3, Propagation);
        await AssertServesAsync(restarted.Nodes, 3);
        foreach (var node in restarted.Nodes)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var old = await client.GetAsync(new Uri(node.Web, "v1"));
            Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        }
    }

    [Fact]
    public async Task A_node_that_cannot_bind_a_version_nacks_it_in_config_status_while_the_others_apply_it()
    {
        await using var mesh = await MeshTestCluster.StartAsync(3, Sqlite, Version(1));
        // The test takes the new listener's port on node 3's address only.
        using var squatter = new TcpListener(IPAddress.Parse(MeshTestNode.BindAddressOf(3)), 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        Assert.Equal(2, (await mesh.Nodes[0].Mesh.Authority.ApplyAsync(Version(2, MeshVersions.ExtraListener(port)), "test")).Version);

        await MeshTestCluster.AllOnVersionAsync(mesh.Nodes.Take(2), 2, Propagation);
        var status = await Eventually.UntilAsync(
            async () => JsonNode.Parse(await _http.GetStringAsync(new Uri(mesh.Nodes[0].Admin, "config_status")))!,
            json => NodeEntry(json, mesh.Nodes[2])?["last_nack"] is not null
                && mesh.Nodes.Take(2).All(n => (string?)NodeEntry(json, n)?["version_info"] == "2"),
            Propagation,
            json => "no NACK from node 3 in /config_status: " + json?.ToJsonString());
        _output.WriteLine(status.ToJsonString());
        Assert.Equal("2", (string?)status["version_info"]);
        var nack = NodeEntry(status, mesh.Nodes[2])!;
        Assert.Equal("1", (string?)nack["version_info"]);
        Assert.Equal("2", (string?)nack["last_nack"]!["version_info"]);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)nack["last_nack"]!["reason"], StringComparison.Ordinal);
        foreach (var node in mesh.Nodes.Take(2))
        {
            var entry = NodeEntry(status, node)!;
            Assert.Equal("2", (string?)entry["version_info"]);
            Assert.Null(entry["last_nack"]);
        }
        // Node 3 still serves its last good version.
        Assert.Equal(1, mesh.Nodes[2].AppliedVersion);
        await AssertServesAsync([mesh.Nodes[2]], 1);
    }

    [Fact]
    public async Task Ten_versions_applied_under_load_lose_no_request_and_every_node_ends_on_the_last()
    {
        await using var mesh = await MeshTestCluster.StartAsync(3, Sqlite, Version(1));
        using var stop = new CancellationTokenSource();
        var loops = mesh.Nodes.Take(2).Select(n => LoadLoopAsync(new Uri(n.Web, "stable"), stop.Token)).ToList();

        for (var v = 2; v <= 11; v++)
        {
            Assert.Equal(v, (await mesh.Nodes[v % 3].Mesh.Authority.ApplyAsync(Version(v), "test")).Version);
        }
        await MeshTestCluster.AllOnVersionAsync(mesh.Nodes, 11, Propagation * 2);
        stop.Cancel();
        var results = await Task.WhenAll(loops);

        var total = results.Sum(r => r.Ok + r.NotOk + r.Errors);
        _output.WriteLine($"{total} requests: {results.Sum(r => r.Ok)} 2xx, {results.Sum(r => r.NotOk)} non-2xx, {results.Sum(r => r.Errors)} socket errors");
        Assert.True(total > 50, $"only {total} requests were made");
        Assert.Equal(0, results.Sum(r => r.NotOk));
        Assert.Equal(0, results.Sum(r => r.Errors));
        Assert.All(mesh.Nodes, n => Assert.Equal(11, n.AppliedVersion));
        await AssertServesAsync(mesh.Nodes, 11);
    }

    private sealed record LoadResult(int Ok, int NotOk, int Errors, string? FirstError);

    private static async Task<LoadResult> LoadLoopAsync(Uri uri, CancellationToken stop)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        int ok = 0, notOk = 0, errors = 0;
        string? firstError = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync(uri, CancellationToken.None);
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                if (response.IsSuccessStatusCode)
                {
                    ok++;
                }
                else
                {
                    notOk++;
                    firstError ??= $"{(int)response.StatusCode}";
                }
            }
            catch (HttpRequestException e)
            {
                errors++;
                firstError ??= e.Message;
            }
        }
        return new LoadResult(ok, notOk, errors, firstError);
    }

    private static JsonNode? NodeEntry(JsonNode status, MeshTestNode node) =>
        status["nodes"]?.AsArray().FirstOrDefault(n => (string?)n!["node"] == node.Address.ToString());

    /// <summary>On every node, <c>/vN</c> answers 200 through the proxy: the version is served, not just recorded.</summary>
    private async Task AssertServesAsync(IEnumerable<MeshTestNode> nodes, int version)
    {
        foreach (var node in nodes)
        {
            // A connection of its own: a kept-alive one finishes its next request on the version it started with.
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var response = await client.GetAsync(new Uri(node.Web, "v" + version));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"node {node.Index} answered {(int)response.StatusCode} for /v{version}");
            Assert.Equal("ok", Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
        }
    }
}
