using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Hosting;

/// <summary>New config versions applied to a running node through the admin's <c>POST /config</c>, over real sockets.</summary>
public sealed class ConfigVersionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_route_change_serves_new_connections_while_a_slow_request_finishes_on_the_old_route()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = TestUpstream.Start(async (_, s) =>
        {
            await release.Task;
            await TestUpstream.WriteResponse(s, 200, "from a");
        });
        await using var b = TestUpstream.Answering("from b");
        await using var proxy = await ProxyHarness.StartAsync(VersionConfigs.Routing("a", ("a", a.Port), ("b", b.Port)));
        using var admin = new AdminClient(proxy.AdminPort);
        using var slowClient = new HttpClient { Timeout = Bound };
        var port = proxy.Port("main");

        var slow = slowClient.GetAsync($"http://127.0.0.1:{port}/slow");
        await a.FirstRequest.Task.WaitAsync(Bound);
        // Version 2 routes to b and drops cluster a, whose request is still in flight.
        var (status, body) = await admin.PostConfig(VersionConfigs.Routing("b", ("b", b.Port)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("2", JsonDocument.Parse(body).RootElement.GetProperty("version_info").GetString());

        using (var fresh = new HttpClient { Timeout = Bound })
        {
            Assert.Equal("from b", await fresh.GetStringAsync($"http://127.0.0.1:{port}/"));
        }
        Assert.False(slow.IsCompleted);
        release.SetResult();
        using var answer = await slow;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("from a", await answer.Content.ReadAsStringAsync());
        // Its connection is done with version 1: the client's next request goes on a new one, to b.
        Assert.True(answer.Headers.ConnectionClose);
        Assert.Equal("from b", await slowClient.GetStringAsync($"http://127.0.0.1:{port}/"));

        Assert.Equal(1, proxy.Stat("listener_manager.listener_modified"));
        // Version 1 added main; version 2 only modified it.
        Assert.Equal(1, proxy.Stat("listener_manager.listener_added"));
        Assert.Equal(1, proxy.Stat("cluster_manager.cluster_removed"));
        Assert.Equal(1, proxy.Stat("cluster_manager.active_clusters"));
        var info = JsonDocument.Parse(await admin.Get("/server_info")).RootElement;
        Assert.Equal("2", info.GetProperty("config_version").GetString());
        var dump = await admin.Get("/config_dump");
        Assert.Contains("\"version_info\": \"2\"", dump);
        Assert.DoesNotContain("\"name\": \"a\"", dump);
    }

    [Fact]
    public async Task An_idle_keep_alive_connection_of_a_modified_listener_gets_one_more_answer_with_connection_close()
    {
        await using var a = TestUpstream.Answering("from a");
        await using var b = TestUpstream.Answering("from b");
        await using var proxy = await ProxyHarness.StartAsync(VersionConfigs.Routing("a", ("a", a.Port), ("b", b.Port)));
        using var admin = new AdminClient(proxy.AdminPort);
        var port = proxy.Port("main");
        using var keepAlive = await RawConnection.Open(port);
        await keepAlive.Send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.True(await keepAlive.ReadUntil("from a", Bound));

        var (status, _) = await admin.PostConfig(VersionConfigs.Routing("b", ("a", a.Port), ("b", b.Port)));
        Assert.Equal(HttpStatusCode.OK, status);
        using var fresh = new HttpClient { Timeout = Bound };
        Assert.Equal("from b", await fresh.GetStringAsync($"http://127.0.0.1:{port}/"));

        // The kept connection is not closed under the client: it is answered on its version, then closed.
        var before = keepAlive.Received.Length;
        await keepAlive.Send("GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.True(await keepAlive.ReadToClose(Bound));
        var second = keepAlive.Received[before..];
        Assert.StartsWith("HTTP/1.1 200", second);
        Assert.EndsWith("from a", second);
        Assert.Contains("connection: close", second, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_removed_cluster_loses_its_stats_and_an_identical_listener_is_left_untouched()
    {
        await using var a = TestUpstream.Answering("from a");
        await using var spare = TestUpstream.Answering("spare");
        await using var proxy = await ProxyHarness.StartAsync(VersionConfigs.Routing("a", ("a", a.Port), ("spare", spare.Port)));
        using var admin = new AdminClient(proxy.AdminPort);
        Assert.Contains("cluster.spare.", await admin.Get("/stats"));

        var (status, _) = await admin.PostConfig(VersionConfigs.Routing("a", ("a", a.Port)));
        Assert.Equal(HttpStatusCode.OK, status);

        var stats = await admin.Get("/stats");
        Assert.DoesNotContain("cluster.spare.", stats);
        Assert.Contains("cluster.a.", stats);
        Assert.Contains("cluster_manager.cluster_removed: 1", stats);
        // The listener's config and its cluster a are unchanged: no new snapshot.
        Assert.Contains("listener_manager.listener_modified: 0", stats);
        Assert.DoesNotContain("spare", await admin.Get("/clusters"));
        using var client = new HttpClient { Timeout = Bound };
        Assert.Equal("from a", await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/"));

        // Added straight back: a fresh scope, which the old one's late stop must not take away.
        (status, _) = await admin.PostConfig(VersionConfigs.Routing("a", ("a", a.Port), ("spare", spare.Port)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("cluster.spare.membership_total: 1", await admin.Get("/stats"));
    }

    [Fact]
    public async Task Bootstrap_only_settings_cannot_change_in_a_version()
    {
        await using var a = TestUpstream.Answering("from a");
        var yaml = VersionConfigs.Routing("a", ("a", a.Port));
        await using var proxy = await ProxyHarness.StartAsync(yaml);
        using var admin = new AdminClient(proxy.AdminPort);

        var (adminMoved, adminBody) = await admin.PostConfig(yaml.Replace("admin:\n  address: { socket_address: { address: 127.0.0.1, port_value: 0", "admin:\n  address: { socket_address: { address: 127.0.0.1, port_value: 19901"));
        Assert.Equal(HttpStatusCode.Conflict, adminMoved);
        Assert.Contains("the admin block cannot change", adminBody);
        var (statsChanged, statsBody) = await admin.PostConfig(yaml + "stats_flush_interval: 10s\n");
        Assert.Equal(HttpStatusCode.Conflict, statsChanged);
        Assert.Contains("stats_flush_interval", statsBody);
        Assert.Equal(2, proxy.Stat("listener_manager.lds.update_rejected"));
        Assert.Contains("\"version_info\": \"1\"", await admin.Get("/config_status"));
    }

    [Fact]
    public async Task An_added_listener_binds_and_serves()
    {
        await using var a = TestUpstream.Answering("from a");
        await using var b = TestUpstream.Answering("from b");
        await using var proxy = await ProxyHarness.StartAsync(VersionConfigs.Routing("a", ("a", a.Port)));
        using var admin = new AdminClient(proxy.AdminPort);

        var (status, _) = await admin.PostConfig(VersionConfigs.Yaml(
            [new TestListener("main", 0, "a"), new TestListener("second", 0, "b", "second_http")],
            [("a", a.Port), ("b", b.Port)]));
        Assert.Equal(HttpStatusCode.OK, status);

        using var client = new HttpClient { Timeout = Bound };
        Assert.Equal("from b", await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("second")}/"));
        Assert.Equal("from a", await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/"));
        Assert.Contains($"second::127.0.0.1:{proxy.Port("second")}", await admin.Get("/listeners"));
        Assert.Equal(2, proxy.Stat("listener_manager.listener_added"));
        Assert.Equal(0, proxy.Stat("listener_manager.listener_modified"));
        Assert.Equal(2, proxy.Stat("listener_manager.total_listeners_active"));
        Assert.Equal(1, proxy.Stat("http.second_http.downstream_rq_total"));
    }

    [Fact]
    public async Task A_removed_listener_answers_its_keep_alive_connection_with_connection_close_then_releases_its_port()
    {
        await using var a = TestUpstream.Answering("from a");
        await using var proxy = await ProxyHarness.StartAsync(VersionConfigs.Yaml(
            [new TestListener("main", 0, "a"), new TestListener("leaving", 0, "a", "leaving_http")], [("a", a.Port)]));
        using var admin = new AdminClient(proxy.AdminPort);
        var leavingPort = proxy.Port("leaving");
        using var keepAlive = await RawConnection.Open(leavingPort);
        await keepAlive.Send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.True(await keepAlive.ReadUntil("from a", Bound));
        Assert.DoesNotContain("connection: close", keepAlive.Received, StringComparison.OrdinalIgnoreCase);

        var (status, _) = await admin.PostConfig(VersionConfigs.Routing("a", ("a", a.Port)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(proxy.Server.ListenerAddresses.ContainsKey("leaving"));
        // The drain reaches the listener (which then takes no new connection) and its connections asynchronously.
        Assert.True(await VersionConfigs.Eventually(async () => await VersionConfigs.Unserved(leavingPort), Bound), "the removed listener still serves new connections");

        // The idle keep-alive connection is still answered once, within drain_timeout, and told to close.
        var before = keepAlive.Received.Length;
        await keepAlive.Send("GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.True(await keepAlive.ReadToClose(Bound));
        var second = keepAlive.Received[before..];
        Assert.StartsWith("HTTP/1.1 200", second);
        Assert.Contains("connection: close", second, StringComparison.OrdinalIgnoreCase);
        Assert.True(await VersionConfigs.Eventually(() => Task.FromResult(!VersionConfigs.Accepts(leavingPort)), Bound), "the removed listener's port was not released");
        Assert.Equal(1, proxy.Stat("listener_manager.listener_removed"));
        Assert.DoesNotContain("leaving_http", await admin.Get("/stats"));
    }

    [Fact]
    public async Task An_invalid_config_is_a_400_with_path_and_line_and_the_old_version_keeps_serving()
    {
        await using var a = TestUpstream.Answering("from a");
        await using var proxy = await ProxyHarness.StartAsync(VersionConfigs.Routing("a", ("a", a.Port)));
        using var admin = new AdminClient(proxy.AdminPort);
        var broken = VersionConfigs.Routing("a", ("a", a.Port)).Replace("connect_timeout: 1s", "connect_timeout: 1s\n    bogus_field: 1");

        var (status, body) = await admin.PostConfig(broken);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("static_resources.clusters[0].bogus_field (line ", body);
        Assert.Contains("unknown field", body);

        var (unrouted, unroutedBody) = await admin.PostConfig(VersionConfigs.Routing("nowhere", ("a", a.Port)));
        Assert.Equal(HttpStatusCode.BadRequest, unrouted);
        Assert.Contains("nowhere", unroutedBody);

        using var client = new HttpClient { Timeout = Bound };
        Assert.Equal("from a", await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/"));
        var statusJson = JsonDocument.Parse(await admin.Get("/config_status")).RootElement;
        Assert.Equal("1", statusJson.GetProperty("version_info").GetString());
        // A config that does not validate never becomes a version, so it is no NACK either.
        Assert.False(statusJson.TryGetProperty("last_nack", out _));
    }

    [Fact]
    public async Task A_taken_port_is_a_nack_the_old_version_keeps_serving_and_the_status_shows_the_reason()
    {
        await using var a = TestUpstream.Answering("from a");
        await using var b = TestUpstream.Answering("from b");
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        await using var proxy = await ProxyHarness.StartAsync(VersionConfigs.Routing("a", ("a", a.Port)));
        using var admin = new AdminClient(proxy.AdminPort);

        // The new listener cannot bind, so neither the route change on main nor cluster b may take effect.
        var (status, body) = await admin.PostConfig(VersionConfigs.Yaml(
            [new TestListener("main", 0, "b"), new TestListener("blocked", taken, "b", "blocked_http")],
            [("a", a.Port), ("b", b.Port)]));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("listener blocked: cannot bind 127.0.0.1:" + taken, body);

        using var client = new HttpClient { Timeout = Bound };
        Assert.Equal("from a", await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/"));
        var statusJson = JsonDocument.Parse(await admin.Get("/config_status")).RootElement;
        Assert.Equal("1", statusJson.GetProperty("version_info").GetString());
        var nack = statusJson.GetProperty("last_nack");
        Assert.Equal("2", nack.GetProperty("version_info").GetString());
        Assert.Equal("admin", nack.GetProperty("source").GetString());
        Assert.Contains("cannot bind 127.0.0.1:" + taken, nack.GetProperty("reason").GetString());
        var stats = await admin.Get("/stats");
        Assert.DoesNotContain("cluster.b.", stats);
        Assert.Contains("listener_manager.lds.update_rejected: 1", stats);
        Assert.Equal("1", JsonDocument.Parse(await admin.Get("/server_info")).RootElement.GetProperty("config_version").GetString());

        // Once the port is free the same config applies, as the next version.
        squatter.Stop();
        var (retry, retryBody) = await admin.PostConfig(VersionConfigs.Yaml(
            [new TestListener("main", 0, "b"), new TestListener("blocked", taken, "b", "blocked_http")],
            [("a", a.Port), ("b", b.Port)]));
        Assert.Equal(HttpStatusCode.OK, retry);
        // A NACKed local version is not applied, so the retry takes its number.
        Assert.Contains("\"version_info\": \"2\"", retryBody);
        Assert.Equal("from b", await client.GetStringAsync($"http://127.0.0.1:{taken}/"));
    }

    [Fact]
    public async Task Post_config_needs_a_loopback_admin_and_a_bounded_body()
    {
        await using var a = TestUpstream.Answering("from a");
        var yaml = VersionConfigs.Routing("a", ("a", a.Port));
        await using var proxy = await ProxyHarness.StartAsync(yaml);
        using var admin = new AdminClient(proxy.AdminPort);

        var (tooLarge, _) = await admin.PostConfig(yaml + "#" + new string('x', 1024 * 1024) + "\n");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge);
        var (get, _) = await admin.GetWithStatus("/config");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get);

        // A wildcard admin (never bound here: tests stay on loopback) refuses, and nothing is applied.
        var control = new RecordingControl();
        var config = ActorMesh.Config.ConfigLoader.LoadYaml(yaml.Replace("admin:\n  address: { socket_address: { address: 127.0.0.1", "admin:\n  address: { socket_address: { address: 0.0.0.0")).Config!;
        var stats = new ActorMesh.Stats.StatsStore();
        var context = new ActorMesh.Admin.AdminContext(
            new ActorMesh.Hosting.ServedConfig(
                new ActorMesh.Hosting.ServedVersion(1, config, new Dictionary<string, ActorMesh.Upstream.UpstreamCluster>(), []),
                new ActorMesh.Hosting.ConfigStatus(1, "bootstrap", DateTimeOffset.UtcNow, null)),
            stats, DateTimeOffset.UtcNow, "0.0.0")
        {
            Server = new ActorMesh.Hosting.ServerState(stats.GetOrCreate("server."), DateTimeOffset.UtcNow),
            Options = new ActorMesh.Hosting.ServerOptions(),
            Control = control,
            Runtime = new ActorMesh.Runtime.RuntimeLoader(),
            Logging = new NoLoggers(),
        };
        var answer = ActorMesh.Admin.AdminEndpoints.Handle(context, "POST", "/config", System.Text.Encoding.UTF8.GetBytes(yaml));
        Assert.Equal(403, answer.Status);
        Assert.Contains("loopback", answer.Body);
        Assert.Equal(0, control.Applied);
    }
}

internal sealed class RecordingControl : ActorMesh.Admin.IServerControl
{
    public int Applied { get; private set; }

    public IReadOnlyList<KeyValuePair<string, EndPoint>> ListenerAddresses => [];

    public void DrainListeners(bool graceful, bool inboundOnly) { }

    public void Shutdown() { }

    public Task<ActorMesh.Admin.ConfigApplyOutcome> ApplyConfigAsync(ActorMesh.Config.BootstrapConfig config, string source)
    {
        Applied++;
        throw new InvalidOperationException("a refused config must not be applied");
    }
}

internal sealed class NoLoggers : ActorMesh.Admin.ILogLevels
{
    public IReadOnlyList<KeyValuePair<string, string>> Loggers => [];

    public bool TrySetLevel(string? logger, string level) => false;
}

/// <summary>An HTTP client for one node's admin port.</summary>
internal sealed class AdminClient : IDisposable
{
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _base;

    public AdminClient(int port) => _base = $"http://127.0.0.1:{port}";

    public async Task<string> Get(string path) => await _client.GetStringAsync(_base + path);

    public async Task<(HttpStatusCode Status, string Body)> GetWithStatus(string path)
    {
        using var response = await _client.GetAsync(_base + path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(HttpStatusCode Status, string Body)> PostConfig(string yaml)
    {
        using var response = await _client.PostAsync(_base + "/config", new StringContent(yaml));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _client.Dispose();
}
