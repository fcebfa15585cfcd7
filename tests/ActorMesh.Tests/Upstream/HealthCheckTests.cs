using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ActorMesh.Tests.Support;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

public sealed class HealthCheckTests
{
    private const string Routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Http_health_check_takes_a_failing_endpoint_out_and_brings_it_back()
    {
        var (a, aHealth) = Checked("a");
        var (b, _) = Checked("b");
        await using var _a = a;
        await using var _b = b;
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [a.Port, b.Port],
            clusterOptions: LoadBalancingProxyTests.FastHealthChecks));
        var port = proxy.Port("main");
        using var client = new HttpClient();
        var admin = $"http://127.0.0.1:{proxy.AdminPort}/clusters";

        // The proxy serves once the first round passed: both hosts healthy, both checked.
        Assert.Equal(2, proxy.Stat("cluster.backend.membership_healthy"));
        Assert.True(proxy.Stat("cluster.backend.health_check.attempt") >= 2);
        Assert.Equal(2, (await Bodies(client, port, 20)).Count);

        aHealth.Healthy = false;
        Assert.True(await Until(() => proxy.Stat("cluster.backend.membership_healthy") == 1, Wait));
        Assert.Contains($"backend::127.0.0.1:{a.Port}::health_flags::/failed_active_hc", await client.GetStringAsync(admin));
        Assert.True(proxy.Stat("cluster.backend.health_check.failure") >= 1);
        Assert.Equal(1, proxy.Stat("cluster.backend.health_check.healthy"));
        Assert.Equal(20, (await Bodies(client, port, 20))["b"]);

        var json = JsonNode.Parse(await client.GetStringAsync(admin + "?format=json"))!;
        var hosts = json["cluster_statuses"]![0]!["host_statuses"]!.AsArray();
        var failed = hosts.Single(h => (int)h!["address"]!["socket_address"]!["port_value"]! == a.Port)!;
        Assert.True((bool)failed["health_status"]!["failed_active_health_check"]!);

        aHealth.Healthy = true;
        Assert.True(await Until(() => proxy.Stat("cluster.backend.membership_healthy") == 2, Wait));
        Assert.Equal(10, (await Bodies(client, port, 20))["a"]);
    }

    [Fact]
    public async Task Expected_statuses_and_host_are_honoured()
    {
        string? hostSeen = null;
        await using var upstream = TestUpstream.Start((request, s) =>
        {
            if (request.Target == "/ready")
            {
                hostSeen = request.Header("host");
                return TestUpstream.WriteResponse(s, 204, "");
            }
            return TestUpstream.WriteResponse(s, 200, "ok");
        });
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [upstream.Port],
            clusterOptions: "health_checks:\n- timeout: 1s\n  interval: 0.05s\n  no_traffic_interval: 0.05s\n  unhealthy_threshold: 1\n  healthy_threshold: 1\n"
                + "  http_health_check:\n    path: /ready\n    host: health.local\n    expected_statuses: [{ start: 200, end: 300 }]"));

        Assert.Equal(1, proxy.Stat("cluster.backend.membership_healthy"));
        Assert.Equal("health.local", hostSeen);
        Assert.Equal(0, proxy.Stat("cluster.backend.health_check.failure"));
    }

    [Fact]
    public async Task Tcp_health_check_fails_an_endpoint_nobody_listens_on()
    {
        await using var live = TestUpstream.Answering("live");
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [live.Port, closedPort],
            clusterOptions: "health_checks:\n- timeout: 1s\n  interval: 0.05s\n  no_traffic_interval: 0.05s\n  unhealthy_threshold: 1\n  healthy_threshold: 1\n  tcp_health_check: {}"));
        using var client = new HttpClient();

        Assert.True(await Until(() => proxy.Stat("cluster.backend.membership_healthy") == 1, Wait));
        Assert.True(proxy.Stat("cluster.backend.health_check.network_failure") >= 1);
        Assert.Equal(10, (await Bodies(client, proxy.Port("main"), 10))["live"]);
        // The TCP check opens connections but sends nothing: the live upstream never saw a request from it.
        Assert.Equal(10, live.Requests);
        Assert.True(live.Accepts > 1);
    }
}
