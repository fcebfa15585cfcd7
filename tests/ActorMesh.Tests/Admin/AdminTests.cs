using System.Net;
using System.Text.Json;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Admin;

public sealed class AdminTests
{
    [Fact]
    public async Task Admin_endpoints_answer_in_envoys_formats()
    {
        await using var upstream = TestUpstream.Answering("x");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = new HttpClient();
        var admin = $"http://127.0.0.1:{proxy.AdminPort}";
        await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/");
        await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        // Counters and gauges; histograms follow them in their own sorted block, as in Envoy.
        var stats = (await client.GetStringAsync($"{admin}/stats?filter=" + Uri.EscapeDataString("^(?!.*(_ms|_time)$)"))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(stats.OrderBy(l => l.Split(':')[0], StringComparer.Ordinal), stats);
        Assert.Contains("http.ingress_http.downstream_rq_total: 2", stats);
        Assert.Contains("cluster.backend.upstream_rq_total: 2", stats);
        Assert.Contains("listener.admin.downstream_cx_total: 1", stats);
        Assert.Contains(stats, l => l.StartsWith("server.uptime: ", StringComparison.Ordinal));

        var ready = await client.GetAsync($"{admin}/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("LIVE\n", await ready.Content.ReadAsStringAsync());

        using var info = JsonDocument.Parse(await client.GetStringAsync($"{admin}/server_info"));
        Assert.Equal("LIVE", info.RootElement.GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(info.RootElement.GetProperty("version").GetString()));
        Assert.EndsWith("s", info.RootElement.GetProperty("uptime_current_epoch").GetString());

        var clusters = await client.GetStringAsync($"{admin}/clusters");
        Assert.Contains($"backend::127.0.0.1:{upstream.Port}::rq_total::2\n", clusters);
        Assert.Contains($"backend::127.0.0.1:{upstream.Port}::cx_active::1\n", clusters);
        Assert.Contains($"backend::127.0.0.1:{upstream.Port}::health_flags::healthy\n", clusters);

        using var dump = JsonDocument.Parse(await client.GetStringAsync($"{admin}/config_dump"));
        var bootstrap = dump.RootElement.GetProperty("configs")[0].GetProperty("bootstrap");
        var cluster = bootstrap.GetProperty("static_resources").GetProperty("clusters")[0];
        Assert.Equal("backend", cluster.GetProperty("name").GetString());
        var filter = bootstrap.GetProperty("static_resources").GetProperty("listeners")[0]
            .GetProperty("filter_chains")[0].GetProperty("filters")[0];
        Assert.Equal("ingress_http", filter.GetProperty("stat_prefix").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{admin}/no_such_thing")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.PostAsync($"{admin}/stats", null)).StatusCode);
    }
}
