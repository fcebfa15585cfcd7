using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Stats;

/// <summary>The statsd sinks end to end: a real proxy, real traffic, and a statsd server's socket in the test.</summary>
public sealed class StatsdSinkTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static string Sink(string name, string type, string body) =>
        $"- name: {name}\n  typed_config:\n    \"@type\": type.googleapis.com/envoy.config.metrics.v3.{type}\n" + ProxyHarness.Indent(body, 4);

    private static async Task Get(ProxyHarness proxy)
    {
        using var client = new HttpClient();
        Assert.Equal("ok", await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/"));
    }

    private static int Count(IReadOnlyList<string> lines, string line) => lines.Count(l => l == line);

    [Fact]
    public async Task Udp_statsd_sends_envoys_lines_with_counters_as_deltas_across_flushes()
    {
        using var statsd = new StatsdUdpListener();
        await using var upstream = TestUpstream.Answering("ok");
        await using var proxy = await ProxyHarness.StartAsync(
            StatsAdminTests.FastFlush
            + "stats_sinks:\n" + Sink("envoy.stat_sinks.statsd", "StatsdSink", $"address: {{ socket_address: {{ address: 127.0.0.1, port_value: {statsd.Port} }} }}")
            + ProxyHarness.SimpleConfig(upstream.Port));

        await Get(proxy);
        var first = await statsd.WaitFor(
            lines => lines.Contains("envoy.cluster.backend.upstream_rq_200:1|c") && lines.Contains("envoy.http.ingress_http.downstream_rq_2xx:1|c"),
            Wait, "the first request's counters");
        // A later flush of the same counter carries a zero delta: used counters are always sent, as in Envoy.
        await statsd.WaitFor(lines => lines.Contains("envoy.cluster.backend.upstream_rq_200:0|c"), Wait, "a zero delta");

        await Get(proxy);
        // Each stat is latched on its own, so a flush may see a request's counters before its times: wait for all.
        var lines = await statsd.WaitFor(
            lines => Count(lines, "envoy.cluster.backend.upstream_rq_200:1|c") == 2
                && lines.Count(l => Regex.IsMatch(l, @"^envoy\.http\.ingress_http\.downstream_rq_time:\d+\|ms$")) == 2
                && lines.Count(l => Regex.IsMatch(l, @"^envoy\.cluster\.backend\.upstream_rq_time:\d+\|ms$")) == 2,
            Wait, "the second request's delta and both requests' times");

        // Deltas add up to the counter's value, never to more.
        var rqTotal = lines.Where(l => l.StartsWith("envoy.cluster.backend.upstream_rq_total:", StringComparison.Ordinal)).ToArray();
        Assert.All(rqTotal, l => Assert.Matches(@"^envoy\.cluster\.backend\.upstream_rq_total:[01]\|c$", l));
        Assert.Equal(2, rqTotal.Count(l => l.EndsWith(":1|c", StringComparison.Ordinal)));
        Assert.Contains("envoy.cluster.backend.membership_healthy:1|g", lines);
        Assert.Contains("envoy.http.ingress_http.downstream_rq_active:0|g", lines);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^envoy\.listener\.127\.0\.0\.1_\d+\.downstream_cx_total:1\|c$"));
        // Never used: neither a gauge nobody moved nor a counter that never counted is sent.
        Assert.DoesNotContain(lines, l => l.StartsWith("envoy.http.ingress_http.downstream_cx_upgrades_active:", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("envoy.cluster.backend.upstream_cx_connect_fail:", StringComparison.Ordinal));
        // The plain statsd sink has no tags and sends one line per datagram.
        Assert.DoesNotContain(lines, l => l.Contains("|#", StringComparison.Ordinal));
        Assert.All(statsd.Datagrams, d => Assert.DoesNotContain("\n", d));
        Assert.Contains("envoy.http.ingress_http.downstream_rq_2xx:1|c", first);
    }

    [Fact]
    public async Task Dog_statsd_sends_tag_extracted_names_with_tags_batched_up_to_max_bytes_per_datagram()
    {
        const int maxBytes = 512;
        using var statsd = new StatsdUdpListener();
        await using var upstream = TestUpstream.Answering("ok");
        await using var proxy = await ProxyHarness.StartAsync(
            StatsAdminTests.FastFlush
            + "stats_sinks:\n" + Sink("envoy.stat_sinks.dog_statsd", "DogStatsdSink",
                $"address: {{ socket_address: {{ address: 127.0.0.1, port_value: {statsd.Port} }} }}\nprefix: mesh\nmax_bytes_per_datagram: {maxBytes}")
            + ProxyHarness.SimpleConfig(upstream.Port));

        await Get(proxy);
        var lines = await statsd.WaitFor(
            lines => lines.Contains("mesh.cluster.upstream_rq:1|c|#envoy.response_code:200,envoy.cluster_name:backend")
                && lines.Contains("mesh.http.downstream_rq_xx:1|c|#envoy.response_code_class:2,envoy.http_conn_manager_prefix:ingress_http")
                && lines.Any(l => l.StartsWith("mesh.http.downstream_rq_time:", StringComparison.Ordinal))
                // Each scope flushes on its own: wait for the cluster's gauges and the listener's counters too.
                && lines.Contains("mesh.cluster.membership_healthy:1|g|#envoy.cluster_name:backend")
                && lines.Any(l => l.StartsWith("mesh.listener.downstream_cx_total:1|c|", StringComparison.Ordinal)),
            Wait, "tagged lines");

        Assert.Contains("mesh.cluster.membership_healthy:1|g|#envoy.cluster_name:backend", lines);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^mesh\.http\.downstream_rq_time:\d+\|ms\|#envoy\.http_conn_manager_prefix:ingress_http$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^mesh\.listener\.downstream_cx_total:1\|c\|#envoy\.listener_address:127\.0\.0\.1_\d+$"));
        var datagrams = statsd.Datagrams;
        Assert.All(datagrams, d => Assert.True(System.Text.Encoding.UTF8.GetByteCount(d) <= maxBytes, d));
        Assert.Contains(datagrams, d => d.Split('\n').Length > 3);
    }

    [Fact]
    public async Task Tcp_statsd_writes_newline_terminated_full_names_to_a_host_of_its_cluster_and_reconnects()
    {
        using var collector = new TcpListener(IPAddress.Loopback, 0);
        collector.Start();
        var collectorPort = ((IPEndPoint)collector.LocalEndpoint).Port;
        await using var upstream = TestUpstream.Answering("ok");
        var config = ProxyHarness.SimpleConfig(upstream.Port).Replace("admin:\n",
            "  - name: statsd\n    connect_timeout: 1s\n    type: STATIC\n    load_assignment:\n      cluster_name: statsd\n      endpoints:\n"
            + $"      - lb_endpoints:\n        - endpoint: {{ address: {{ socket_address: {{ address: 127.0.0.1, port_value: {collectorPort} }} }} }}\n"
            + "admin:\n", StringComparison.Ordinal);
        await using var proxy = await ProxyHarness.StartAsync(
            StatsAdminTests.FastFlush + "stats_sinks:\n" + Sink("envoy.stat_sinks.statsd", "StatsdSink", "tcp_cluster_name: statsd") + config);
        using var cts = new CancellationTokenSource(Wait);

        await Get(proxy);
        var lines = new List<string>();
        using (var first = await collector.AcceptTcpClientAsync(cts.Token))
        using (var reader = new StreamReader(first.GetStream()))
        {
            while (!lines.Contains("envoy.cluster.backend.upstream_rq_200:1|c") || !lines.Any(l => l.StartsWith("envoy.cluster.backend.upstream_rq_time:", StringComparison.Ordinal)))
            {
                lines.Add(await reader.ReadLineAsync(cts.Token) ?? throw new IOException("the sink closed its connection"));
            }
            // The sink's own connection is counted on its cluster, as Envoy's tcpConn does.
            while (!lines.Contains("envoy.cluster.statsd.upstream_cx_total:1|c"))
            {
                lines.Add(await reader.ReadLineAsync(cts.Token) ?? throw new IOException("the sink closed its connection"));
            }
        }

        Assert.Contains(lines, l => Regex.IsMatch(l, @"^envoy\.cluster\.backend\.upstream_rq_time:\d+\|ms$"));
        Assert.Contains("envoy.cluster.backend.membership_healthy:1|g", lines);
        Assert.DoesNotContain(lines, l => l.Contains("|#", StringComparison.Ordinal));

        // The collector hung up: the next flush opens a new connection and goes on.
        using var second = await collector.AcceptTcpClientAsync(cts.Token);
        using var secondReader = new StreamReader(second.GetStream());
        var line = await secondReader.ReadLineAsync(cts.Token);
        Assert.Matches(@"^envoy\.[a-z_.0-9]+:\d+\|(c|g|ms)$", line);
        await WaitForStat(proxy, "cluster.statsd.upstream_cx_total", 2, cts.Token);
        Assert.Equal(0, proxy.Stat("statsd.cx_overflow"));
    }

    private static async Task WaitForStat(ProxyHarness proxy, string name, long atLeast, CancellationToken token)
    {
        while (proxy.Stat(name) < atLeast)
        {
            await Task.Delay(20, token);
        }
    }
}
