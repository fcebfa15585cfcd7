using System.Threading.Channels;
using ActorMesh.Config;
using ActorMesh.Hosting;
using ActorMesh.Stats;
using ActorMesh.Tests.Support;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Xunit;

namespace ActorMesh.Tests.Stats;

public sealed class StatsSinkTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_scope_flushes_deltas_to_registered_sinks_and_announces_its_removal()
    {
        var store = new StatsStore(new StatsSettings(StatsConfig.Default, TimeSpan.FromMilliseconds(50)));
        var sink = CreateTestProbe();
        store.Sinks.Register(sink.Ref);
        var stats = new ClusterStats(store.GetOrCreate("cluster.backend."));
        stats.UpstreamRqTotal.Add(3);
        stats.UpstreamRqTime.Record(7);
        stats.UpstreamRqActive.Set(2);
        var scope = Sys.ActorOf(StatsScopeActor.Props(store, "cluster.backend."));

        var first = sink.FishForMessage<StatsSinkProtocol.Flush>(f => f.Snapshot.Counters.Any(c => c.Value == 3), Wait).Snapshot;
        Assert.Equal("cluster.backend.", first.ScopePrefix);
        var total = first.Counters.Single(c => c.Name == "cluster.backend.upstream_rq_total");
        Assert.Equal(new CounterSnapshot("cluster.backend.upstream_rq_total", "cluster.upstream_rq_total", total.Tags, 3, 3), total);
        Assert.Equal([new StatTag("envoy.cluster_name", "backend")], total.Tags);
        Assert.Equal(2, first.Gauges.Single(g => g.Name == "cluster.backend.upstream_rq_active").Value);
        var rqTime = first.Histograms.Single(h => h.Name == "cluster.backend.upstream_rq_time");
        Assert.Equal([7L], rqTime.IntervalSamples);
        Assert.Equal(HistogramUnit.Milliseconds, rqTime.Unit);
        Assert.Equal(1, rqTime.CumulativeBucketCounts[3]);
        Assert.Equal(0, rqTime.CumulativeBucketCounts[2]);

        stats.UpstreamRqTotal.Inc();
        // Flushes keep coming while the test runs: the first one that sees the new value carries its delta.
        var second = sink.FishForMessage<StatsSinkProtocol.Flush>(f => f.Snapshot.Counters.Any(c => c.Value == 4), Wait).Snapshot;
        Assert.Equal((4L, 1L), second.Counters.Where(c => c.Name == "cluster.backend.upstream_rq_total").Select(c => (c.Value, c.Delta)).Single());
        Assert.Empty(second.Histograms.Single(h => h.Name == "cluster.backend.upstream_rq_time").IntervalSamples);

        Sys.Stop(scope);
        sink.FishForMessage<StatsSinkProtocol.ScopeRemoved>(r => r.Prefix == "cluster.backend.", Wait);
        Assert.Empty(store.Scopes);
        Assert.Empty(store.Snapshot());
    }

    [Fact]
    public async Task Sinks_given_to_the_server_receive_every_scope_with_tags()
    {
        var received = Channel.CreateUnbounded<StatsSinkProtocol.IStatsSinkMessage>();
        await using var upstream = TestUpstream.Answering("ok");
        await using var proxy = await ProxyHarness.StartAsync(
            StatsAdminTests.FastFlush + ProxyHarness.SimpleConfig(upstream.Port),
            new ServerOptions { StatsSinks = [Props.Create(() => new ChannelSink(received.Writer))] });
        using (var client = new HttpClient())
        {
            await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/");
        }

        using var cts = new CancellationTokenSource(Wait);
        var prefixes = new HashSet<string>();
        MetricsSnapshot? http = null;
        while (http is null || !prefixes.IsSupersetOf(["cluster.backend.", "server.", "listener.admin."]))
        {
            if (await received.Reader.ReadAsync(cts.Token) is StatsSinkProtocol.Flush flush)
            {
                prefixes.Add(flush.Snapshot.ScopePrefix);
                if (flush.Snapshot.ScopePrefix == "http.ingress_http." && flush.Snapshot.Histograms.Any(h => h.Name.EndsWith("downstream_rq_time", StringComparison.Ordinal) && h.IntervalSamples.Count == 1))
                {
                    http = flush.Snapshot;
                }
            }
        }
        var rqTime = http.Histograms.Single(h => h.Name == "http.ingress_http.downstream_rq_time");
        Assert.Equal("http.downstream_rq_time", rqTime.TagExtractedName);
        Assert.Equal([new StatTag("envoy.http_conn_manager_prefix", "ingress_http")], rqTime.Tags);
        Assert.Equal(1, rqTime.Count);
        var twoXx = http.Counters.Single(c => c.Name == "http.ingress_http.downstream_rq_2xx");
        Assert.Equal("http.downstream_rq_xx", twoXx.TagExtractedName);
        Assert.Equal(1, twoXx.Value);
    }

    private sealed class ChannelSink : ReceiveActor
    {
        public ChannelSink(ChannelWriter<StatsSinkProtocol.IStatsSinkMessage> writer) =>
            Receive<StatsSinkProtocol.IStatsSinkMessage>(m => writer.TryWrite(m));
    }
}
