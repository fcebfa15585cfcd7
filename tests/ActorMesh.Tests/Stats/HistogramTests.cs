using ActorMesh.Admin;
using ActorMesh.Stats;
using Xunit;

namespace ActorMesh.Tests.Stats;

public sealed class HistogramTests
{
    private static Histogram NewHistogram(StatsStore? store = null) =>
        (store ?? new StatsStore()).GetOrCreate("cluster.backend.").Histogram("upstream_rq_time", HistogramUnit.Milliseconds);

    private static string TextLine(StatsStore store) =>
        StatsEndpoints.Text(store, StatsQuery.Parse("/stats").Query!).Split('\n').Single(l => l.StartsWith("cluster.backend.upstream_rq_time: ", StringComparison.Ordinal));

    [Fact]
    public void One_sample_of_1ms_prints_envoys_documented_quantiles()
    {
        var store = new StatsStore();
        NewHistogram(store).Record(1);

        // Envoy's docs show exactly this line for one 1 ms sample before the first flush.
        Assert.Equal(
            "cluster.backend.upstream_rq_time: P0(nan,1) P25(nan,1.025) P50(nan,1.05) P75(nan,1.075) P90(nan,1.09) "
            + "P95(nan,1.095) P99(nan,1.099) P99.5(nan,1.0995) P99.9(nan,1.0999) P100(nan,1.1)",
            TextLine(store));
    }

    [Fact]
    public void Latch_closes_an_interval_and_the_next_interval_starts_empty()
    {
        var store = new StatsStore();
        var histogram = NewHistogram(store);
        histogram.Record(1);
        var scope = store.GetOrCreate("cluster.backend.");
        var first = scope.Latch(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5)).Histograms.Single();
        Assert.Equal([1L], first.IntervalSamples);
        Assert.Equal(1.05, first.IntervalQuantiles[2], 10);
        Assert.Equal("cluster.backend.upstream_rq_time: P0(1,1) P25(1.025,1.025) P50(1.05,1.05) P75(1.075,1.075) P90(1.09,1.09) "
            + "P95(1.095,1.095) P99(1.099,1.099) P99.5(1.0995,1.0995) P99.9(1.0999,1.0999) P100(1.1,1.1)", TextLine(store));

        histogram.Record(250);
        var second = scope.Latch(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5)).Histograms.Single();
        Assert.Equal([250L], second.IntervalSamples);
        Assert.Equal(250, second.IntervalQuantiles[0]);
        Assert.Equal(260, second.IntervalQuantiles[^1]);
        Assert.Equal(2, second.Count);
        Assert.Equal(251, second.Sum);

        var third = scope.Latch(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5)).Histograms.Single();
        Assert.Empty(third.IntervalSamples);
        Assert.All(third.IntervalQuantiles, q => Assert.True(double.IsNaN(q)));
        Assert.Equal(1, third.CumulativeQuantiles[0]);
    }

    [Fact]
    public void Quantiles_interpolate_across_bins_as_circllhist_does()
    {
        var histogram = NewHistogram();
        foreach (var value in new long[] { 10, 20, 30, 40 })
        {
            histogram.Record(value);
        }
        var q = histogram.CumulativeQuantiles();
        // Four bins of width 1 (10–11, 20–21, …): P0 is the first bin's left edge, P50 the second bin's right edge,
        // P100 the last bin's right edge; P25 is the first bin's right edge.
        Assert.Equal(10, q[0]);
        Assert.Equal(11, q[1]);
        Assert.Equal(21, q[2]);
        Assert.Equal(41, q[^1]);
    }

    [Fact]
    public void Buckets_use_envoys_default_bounds_and_count_values_at_or_below_each()
    {
        var histogram = NewHistogram();
        Assert.Equal(StatsSettings.DefaultBuckets, histogram.Bounds);
        Assert.Equal(19, histogram.Bounds.Count);
        histogram.Record(0);
        histogram.Record(1);
        histogram.Record(5);
        histogram.Record(7);
        histogram.Record(4_000_000);
        var cumulative = histogram.CumulativeBucketCounts();
        Assert.Equal(1, cumulative[0]);   // le 0.5
        Assert.Equal(2, cumulative[1]);   // le 1
        Assert.Equal(3, cumulative[2]);   // le 5
        Assert.Equal(4, cumulative[3]);   // le 10
        Assert.Equal(4, cumulative[^1]);  // le 3600000: the 4,000,000 is only in +Inf
        Assert.Equal(5, histogram.Count);
        Assert.Equal(4_000_013, histogram.Sum);
    }

    [Fact]
    public void The_sample_ring_keeps_the_newest_values_of_an_interval_and_counts_the_rest()
    {
        var store = new StatsStore();
        var histogram = NewHistogram(store);
        for (var i = 0; i < Histogram.SampleCapacity + 10; i++)
        {
            histogram.Record(i);
        }
        var snapshot = store.GetOrCreate("cluster.backend.").Latch(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1)).Histograms.Single();
        Assert.Equal(Histogram.SampleCapacity, snapshot.IntervalSamples.Count);
        Assert.Equal(10, snapshot.IntervalSamplesDropped);
        Assert.Equal(10, snapshot.IntervalSamples[0]);
        Assert.Equal(Histogram.SampleCapacity + 9, snapshot.IntervalSamples[^1]);
    }

    [Fact]
    public void Recording_allocates_nothing()
    {
        var histogram = NewHistogram();
        histogram.Record(3);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            histogram.Record(i);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void Per_status_counters_are_created_on_first_use_then_reused()
    {
        var store = new StatsStore();
        var stats = new ClusterStats(store.GetOrCreate("cluster.backend."));
        Assert.DoesNotContain(store.Snapshot(), s => s.Key == "cluster.backend.upstream_rq_200");
        stats.CompleteUpstreamRequest(200, 0, complete: true);
        stats.CompleteUpstreamRequest(200, 0, complete: true);
        stats.CompleteUpstreamRequest(503, 0, complete: false);
        var before = GC.GetAllocatedBytesForCurrentThread();
        stats.CompleteUpstreamRequest(200, 0, complete: true);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        var all = store.Snapshot().ToDictionary(s => s.Key, s => s.Value);
        Assert.Equal(3, all["cluster.backend.upstream_rq_200"]);
        Assert.Equal(3, all["cluster.backend.upstream_rq_2xx"]);
        Assert.Equal(1, all["cluster.backend.upstream_rq_503"]);
        Assert.Equal(1, all["cluster.backend.upstream_rq_5xx"]);
        Assert.Equal(4, all["cluster.backend.upstream_rq_completed"]);
        Assert.False(all.ContainsKey("cluster.backend.upstream_rq_4xx"));
    }
}
