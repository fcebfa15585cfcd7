using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Stats;

/// <summary>The admin's <c>/stats</c> family against a real proxy and upstream on loopback.</summary>
public sealed class StatsAdminTests
{
    internal const string FastFlush = "stats_flush_interval: 0.1s\n";

    private static readonly string[] QuantileNames = ["P0", "P25", "P50", "P75", "P90", "P95", "P99", "P99.5", "P99.9", "P100"];

    /// <summary>An upstream answering 404 on /missing and 200 elsewhere; two 200s and one 404 through the proxy.</summary>
    internal static async Task<(TestUpstream Upstream, ProxyHarness Proxy, HttpClient Admin)> StartWithTraffic()
    {
        var upstream = TestUpstream.Start((request, stream) => TestUpstream.WriteResponse(stream, request.Target == "/missing" ? 404 : 200, "ok"));
        var proxy = await ProxyHarness.StartAsync(FastFlush + ProxyHarness.SimpleConfig(upstream.Port));
        using (var client = new HttpClient())
        {
            var main = $"http://127.0.0.1:{proxy.Port("main")}";
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(main + "/")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(main + "/")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(main + "/missing")).StatusCode);
        }
        var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxy.AdminPort}") };
        // The exchange is counted just after its last byte leaves; the client may be quicker.
        await Eventually(async () => (await admin.GetStringAsync("/stats")).Contains("http.ingress_http.downstream_rq_completed: 3\n"));
        return (upstream, proxy, admin);
    }

    internal static async Task Eventually(Func<Task<bool>> condition, int timeoutSeconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task Text_format_has_per_status_stats_then_histogram_quantiles()
    {
        var (upstream, proxy, admin) = await StartWithTraffic();
        await using var _ = upstream;
        await using var __ = proxy;
        using var ___ = admin;

        var lines = (await admin.GetStringAsync("/stats")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var expected in new[]
        {
            "cluster.backend.upstream_rq_200: 2", "cluster.backend.upstream_rq_2xx: 2", "cluster.backend.upstream_rq_404: 1",
            "cluster.backend.upstream_rq_4xx: 1", "cluster.backend.upstream_rq_completed: 3", "cluster.backend.upstream_rq_total: 3",
            "http.ingress_http.downstream_rq_2xx: 2", "http.ingress_http.downstream_rq_4xx: 1", "http.ingress_http.downstream_rq_5xx: 0",
            "http.ingress_http.downstream_rq_completed: 3",
        })
        {
            Assert.Contains(expected, lines);
        }
        Assert.DoesNotContain(lines, l => l.StartsWith("cluster.backend.upstream_rq_5xx", StringComparison.Ordinal));

        // Counters and gauges sorted, then the histograms sorted, as Envoy prints them.
        var histogramStart = Array.FindIndex(lines, l => l.Contains(" P0(", StringComparison.Ordinal) || l.EndsWith(": No recorded values", StringComparison.Ordinal));
        var scalars = lines[..histogramStart];
        var histograms = lines[histogramStart..];
        Assert.Equal(scalars.OrderBy(l => l.Split(':')[0], StringComparer.Ordinal), scalars);
        // The admin's own connection manager (http.admin.*) has histograms too; this test is about the proxy's.
        histograms = histograms.Where(l => !l.StartsWith("http.admin.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(
            ["cluster.backend.upstream_cx_connect_ms", "cluster.backend.upstream_rq_time", "http.ingress_http.downstream_cx_length_ms",
             "http.ingress_http.downstream_rq_time", "listener.127.0.0.1_0.downstream_cx_length_ms", "listener.admin.downstream_cx_length_ms"],
            histograms.Select(l => l.Split(':')[0]));

        var quantiles = string.Join(" ", QuantileNames.Select(q => Regex.Escape(q) + @"\((nan|[0-9.]+),[0-9.]+\)"));
        Assert.Matches($"^http\\.ingress_http\\.downstream_rq_time: {quantiles}$", histograms[3]);
        Assert.Matches($"^cluster\\.backend\\.upstream_rq_time: {quantiles}$", histograms[1]);
        Assert.Matches($"^cluster\\.backend\\.upstream_cx_connect_ms: {quantiles}$", histograms[0]);
        Assert.Equal("listener.admin.downstream_cx_length_ms: No recorded values", histograms[5]);
    }

    [Fact]
    public async Task Histogram_buckets_filter_and_usedonly()
    {
        var (upstream, proxy, admin) = await StartWithTraffic();
        await using var _ = upstream;
        await using var __ = proxy;
        using var ___ = admin;

        var cumulative = await admin.GetStringAsync("/stats?filter=" + Uri.EscapeDataString(@"^http\.ingress_http\.downstream_rq_time$") + "&histogram_buckets=cumulative");
        Assert.Matches(@"^http\.ingress_http\.downstream_rq_time: B0\.5\([0-9]+,[0-9]\) B1\(.*B1\.8e\+06\([0-9]+,3\) B3\.6e\+06\([0-9]+,3\)\n$", cumulative);
        Assert.Equal(19, Regex.Matches(cumulative, @" ?B[0-9.e+]+\(").Count);
        var disjoint = await admin.GetStringAsync("/stats?filter=downstream_rq_time&histogram_buckets=disjoint");
        var counts = Regex.Matches(disjoint, @"B[0-9.e+]+\([0-9]+,([0-9]+)\)").Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        Assert.Equal(3, counts.Sum());

        var filtered = await admin.GetStringAsync("/stats?filter=" + Uri.EscapeDataString(@"^cluster\.backend\.upstream_rq_[0-9]"));
        Assert.Equal("cluster.backend.upstream_rq_200: 2\ncluster.backend.upstream_rq_2xx: 2\ncluster.backend.upstream_rq_404: 1\ncluster.backend.upstream_rq_4xx: 1\n", filtered);

        var all = await admin.GetStringAsync("/stats");
        var used = await admin.GetStringAsync("/stats?usedonly");
        Assert.Contains("http.ingress_http.no_route: 0\n", all);
        Assert.DoesNotContain("no_route", used);
        Assert.DoesNotContain("listener.admin.downstream_cx_length_ms", used);
        Assert.Contains("http.ingress_http.downstream_rq_completed: 3\n", used);
        Assert.Contains("cluster.backend.upstream_rq_time: P0(", used);

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/stats?filter=" + Uri.EscapeDataString("(("))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/stats?format=xml")).StatusCode);
    }

    [Fact]
    public async Task Json_format_is_envoys_shape()
    {
        var (upstream, proxy, admin) = await StartWithTraffic();
        await using var _ = upstream;
        await using var __ = proxy;
        using var ___ = admin;

        var response = await admin.GetAsync("/stats?format=json");
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var stats = json.RootElement.GetProperty("stats").EnumerateArray().ToArray();
        var scalars = stats[..^1];
        Assert.All(scalars, s => Assert.Equal(["name", "value"], s.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(2, scalars.Single(s => s.GetProperty("name").GetString() == "cluster.backend.upstream_rq_200").GetProperty("value").GetInt64());

        var histograms = stats[^1].GetProperty("histograms");
        Assert.Equal([0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100], histograms.GetProperty("supported_quantiles").EnumerateArray().Select(q => q.GetDouble()));
        var computed = histograms.GetProperty("computed_quantiles").EnumerateArray().ToArray();
        var rqTime = computed.Single(h => h.GetProperty("name").GetString() == "http.ingress_http.downstream_rq_time");
        var values = rqTime.GetProperty("values").EnumerateArray().ToArray();
        Assert.Equal(10, values.Length);
        Assert.All(values, v =>
        {
            Assert.Equal(["interval", "cumulative"], v.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Number, v.GetProperty("cumulative").ValueKind);
            Assert.Contains(v.GetProperty("interval").ValueKind, new[] { JsonValueKind.Number, JsonValueKind.Null });
        });
        var unused = computed.Single(h => h.GetProperty("name").GetString() == "listener.admin.downstream_cx_length_ms");
        Assert.All(unused.GetProperty("values").EnumerateArray(), v => Assert.Equal(JsonValueKind.Null, v.GetProperty("cumulative").ValueKind));
    }
}
