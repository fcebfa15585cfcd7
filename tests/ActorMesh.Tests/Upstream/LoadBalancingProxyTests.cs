using ActorMesh.Tests.Support;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

/// <summary>Load balancing through a real proxy to real upstreams on 127.0.0.1.</summary>
public sealed class LoadBalancingProxyTests
{
    private const string Routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Weighted_round_robin_splits_requests_exactly_by_endpoint_weight()
    {
        await using var a = TestUpstream.Answering("a");
        await using var b = TestUpstream.Answering("b");
        var endpoints = "- lb_endpoints:\n" + Indent(Endpoint(a.Port, 3)) + Indent(Endpoint(b.Port, 1));
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [], localityEndpoints: endpoints));
        using var client = new HttpClient();

        var counts = await Bodies(client, proxy.Port("main"), 400);

        Assert.Equal(300, counts["a"]);
        Assert.Equal(100, counts["b"]);
    }

    [Fact]
    public async Task Least_request_sends_new_requests_to_the_idle_host()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = 0;
        // Only the first request is held: a later one that still lands on the busy host (ten unlucky draws) answers at
        // once and counts as a miss instead of waiting out the route timeout.
        await using var slow = TestUpstream.Start(async (_, s) =>
        {
            if (Interlocked.Exchange(ref held, 1) == 0)
            {
                await gate.Task;
            }
            await TestUpstream.WriteResponse(s, 200, "slow");
        });
        await using var fast = TestUpstream.Answering("fast");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [slow.Port, fast.Port],
            lbPolicy: "LEAST_REQUEST", clusterOptions: "least_request_lb_config: { choice_count: 10 }"));
        var port = proxy.Port("main");
        using var client = new HttpClient();

        // Park one request on the slow host (requests that land on the fast host just complete).
        var parked = new List<Task<string>>();
        for (var i = 0; i < 50 && !slow.FirstRequest.Task.IsCompleted; i++)
        {
            parked.Add(client.GetStringAsync($"http://127.0.0.1:{port}/"));
            await Task.WhenAny(slow.FirstRequest.Task, Task.Delay(50));
        }
        Assert.True(slow.FirstRequest.Task.IsCompleted, "no request reached the slow host");

        var counts = await Bodies(client, port, 40);

        // Ten random draws all landing on the busy host: one chance in 1024 per request.
        Assert.True(counts.GetValueOrDefault("fast") >= 38, $"fast host got {counts.GetValueOrDefault("fast")} of 40");
        gate.SetResult();
        await Task.WhenAll(parked).WaitAsync(Wait);
    }

    [Fact]
    public async Task Random_spreads_requests_over_every_host()
    {
        await using var a = TestUpstream.Answering("a");
        await using var b = TestUpstream.Answering("b");
        await using var c = TestUpstream.Answering("c");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [a.Port, b.Port, c.Port], lbPolicy: "RANDOM"));
        using var client = new HttpClient();

        var counts = await Bodies(client, proxy.Port("main"), 150);

        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, n => Assert.InRange(n, 20, 90));
    }

    [Fact]
    public async Task Priority_one_serves_while_priority_zero_fails_its_health_checks()
    {
        var (p0, p0Health) = Checked("p0");
        var (p1, _) = Checked("p1");
        await using var _p0 = p0;
        await using var _p1 = p1;
        var endpoints = "- priority: 0\n  lb_endpoints:\n" + Indent(Endpoint(p0.Port)) + "- priority: 1\n  lb_endpoints:\n" + Indent(Endpoint(p1.Port));
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [], localityEndpoints: endpoints, clusterOptions: FastHealthChecks));
        var port = proxy.Port("main");
        using var client = new HttpClient();

        Assert.Equal(20, (await Bodies(client, port, 20))["p0"]);

        p0Health.Healthy = false;
        Assert.True(await Until(() => proxy.Stat("cluster.backend.membership_healthy") == 1, Wait));
        Assert.Equal(20, (await Bodies(client, port, 20))["p1"]);

        p0Health.Healthy = true;
        Assert.True(await Until(() => proxy.Stat("cluster.backend.membership_healthy") == 2, Wait));
        Assert.Equal(20, (await Bodies(client, port, 20))["p0"]);
    }

    [Fact]
    public async Task Panic_mode_spreads_over_all_hosts_when_fewer_than_half_are_healthy()
    {
        var (a, aHealth) = Checked("a");
        var (b, bHealth) = Checked("b");
        var (c, _) = Checked("c");
        await using var _a = a;
        await using var _b = b;
        await using var _c = c;
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.ConfigWith(Routes, [a.Port, b.Port, c.Port], clusterOptions: FastHealthChecks));
        var port = proxy.Port("main");
        using var client = new HttpClient();

        aHealth.Healthy = false;
        Assert.True(await Until(() => proxy.Stat("cluster.backend.membership_healthy") == 2, Wait));
        var oneDown = await Bodies(client, port, 30);
        Assert.False(oneDown.ContainsKey("a"));

        bHealth.Healthy = false;
        Assert.True(await Until(() => proxy.Stat("cluster.backend.membership_healthy") == 1, Wait));
        // One of three healthy is below the 50 % panic threshold: Envoy balances over every host.
        var panic = await Bodies(client, port, 30);
        Assert.Equal(3, panic.Count);
    }

    internal const string FastHealthChecks =
        "health_checks:\n"
        + "- timeout: 1s\n  interval: 0.05s\n  no_traffic_interval: 0.05s\n  unhealthy_threshold: 1\n  healthy_threshold: 1\n"
        + "  http_health_check: { path: /health }";

    private static string Indent(string yaml) => ProxyHarness.Indent(yaml, 2);
}
