using System.Text.RegularExpressions;
using ActorMesh.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Stats;

/// <summary>A real statsd server (Etsy's, from the npm registry) aggregating what the statsd sink sends.</summary>
public sealed class StatsdServerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_real_statsd_server_aggregates_our_counters_gauges_and_timers()
    {
        using var statsd = await StatsdServer.StartAsync(output, Wait);
        if (statsd is null)
        {
            return;
        }
        await using var upstream = TestUpstream.Answering("ok");
        await using var proxy = await ProxyHarness.StartAsync(
            StatsAdminTests.FastFlush
            + "stats_sinks:\n- name: envoy.stat_sinks.statsd\n  typed_config:\n"
            + "    \"@type\": type.googleapis.com/envoy.config.metrics.v3.StatsdSink\n"
            + $"    address: {{ socket_address: {{ address: 127.0.0.1, port_value: {statsd.Port} }} }}\n"
            + ProxyHarness.SimpleConfig(upstream.Port));
        using (var client = new HttpClient())
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal("ok", await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/"));
            }
        }
        using var cts = new CancellationTokenSource(Wait);

        // statsd sums the deltas of every flush: three requests, however the flushes split them. Each scope flushes
        // on its own, so wait for every scope asserted on.
        var counters = await Poll(statsd, "counters", c => c.Contains("'envoy.cluster.backend.upstream_rq_200': 3", StringComparison.Ordinal)
            && c.Contains("'envoy.http.ingress_http.downstream_rq_2xx': 3", StringComparison.Ordinal), cts.Token);
        Assert.Contains("'envoy.http.ingress_http.downstream_rq_2xx': 3", counters);
        var gauges = await Poll(statsd, "gauges", g => g.Contains("'envoy.cluster.backend.membership_healthy': 1", StringComparison.Ordinal)
            && g.Contains("'envoy.server.live': 1", StringComparison.Ordinal), cts.Token);
        Assert.Contains("'envoy.server.live': 1", gauges);
        var timers = await Poll(statsd, "timers", t => Samples(t, "envoy.cluster.backend.upstream_rq_time") == 3
            && Samples(t, "envoy.http.ingress_http.downstream_rq_time") == 3, cts.Token);
        Assert.Equal(3, Samples(timers, "envoy.http.ingress_http.downstream_rq_time"));
        // Every line parsed: statsd counts the ones it could not.
        Assert.Matches(@"'statsd\.bad_lines_seen': 0\b", await statsd.Command("counters", cts.Token));
    }

    private static async Task<string> Poll(StatsdServer statsd, string command, Func<string, bool> done, CancellationToken token)
    {
        while (true)
        {
            var answer = await statsd.Command(command, token);
            if (done(answer))
            {
                return answer;
            }
            if (token.IsCancellationRequested)
            {
                Assert.Fail($"statsd's {command} never showed what was expected:\n{answer}");
            }
            await Task.Delay(100, CancellationToken.None);
        }
    }

    /// <summary>How many values statsd holds for a timer, from its console's <c>'name': [ 1, 2, … ]</c>.</summary>
    private static int Samples(string timers, string name)
    {
        var match = Regex.Match(timers, "'" + Regex.Escape(name) + @"': \[([^\]]*)\]");
        return match.Success ? Regex.Matches(match.Groups[1].Value, @"\d+").Count : 0;
    }
}
