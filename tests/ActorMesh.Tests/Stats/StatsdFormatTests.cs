using System.Text;
using ActorMesh.Stats;
using ActorMesh.Stats.Sinks;
using Xunit;

namespace ActorMesh.Tests.Stats;

public sealed class StatsdFormatTests
{
    private static readonly StatTag Cluster = new("envoy.cluster_name", "backend");
    private static readonly StatTag Code = new("envoy.response_code", "200");

    private static MetricsSnapshot Snapshot() => new(
        "cluster.backend.",
        DateTimeOffset.UnixEpoch,
        TimeSpan.FromSeconds(5),
        [
            new CounterSnapshot("cluster.backend.upstream_rq_200", "cluster.upstream_rq", [Code, Cluster], 7, 2),
            new CounterSnapshot("cluster.backend.upstream_rq_total", "cluster.upstream_rq_total", [Cluster], 7, 0),
            new CounterSnapshot("cluster.backend.upstream_cx_connect_fail", "cluster.upstream_cx_connect_fail", [Cluster], 0, 0),
        ],
        [
            new GaugeSnapshot("cluster.backend.membership_healthy", "cluster.membership_healthy", [Cluster], 3),
            new GaugeSnapshot("cluster.backend.upstream_cx_active", "cluster.upstream_cx_active", [Cluster], 0) { Used = false },
        ],
        [
            new HistogramSnapshot("cluster.backend.upstream_rq_time", "cluster.upstream_rq_time", [Cluster], HistogramUnit.Milliseconds,
                [4, 12], 0, [], [], 16, 2, [], []),
        ]);

    [Fact]
    public void Statsd_lines_use_the_full_name_and_skip_what_was_never_used()
    {
        var lines = new StatsdFormat("envoy", UseTags: false).Lines(Snapshot()).ToArray();

        Assert.Equal(
        [
            "envoy.cluster.backend.upstream_rq_200:2|c",
            // Used before, unchanged this interval: Envoy still sends the zero delta.
            "envoy.cluster.backend.upstream_rq_total:0|c",
            "envoy.cluster.backend.membership_healthy:3|g",
            "envoy.cluster.backend.upstream_rq_time:4|ms",
            "envoy.cluster.backend.upstream_rq_time:12|ms",
        ], lines);
    }

    [Fact]
    public void Dog_statsd_lines_use_the_tag_extracted_name_and_append_tags()
    {
        var lines = new StatsdFormat("mesh", UseTags: true).Lines(Snapshot()).ToArray();

        Assert.Equal("mesh.cluster.upstream_rq:2|c|#envoy.response_code:200,envoy.cluster_name:backend", lines[0]);
        Assert.Equal("mesh.cluster.membership_healthy:3|g|#envoy.cluster_name:backend", lines[2]);
        Assert.Equal("mesh.cluster.upstream_rq_time:12|ms|#envoy.cluster_name:backend", lines[4]);
    }

    [Fact]
    public void Without_a_buffer_size_every_line_is_its_own_datagram()
    {
        var datagrams = StatsdDatagrams.Pack(["a:1|c", "b:2|g"], 0).Select(Encoding.UTF8.GetString).ToArray();

        Assert.Equal(["a:1|c", "b:2|g"], datagrams);
    }

    [Fact]
    public void With_a_buffer_size_lines_are_joined_up_to_it_as_envoy_does()
    {
        // 5 + 1 + 5 = 11 fits in 12; a third line would make 17.
        var datagrams = StatsdDatagrams.Pack(["a:1|c", "b:2|c", "c:3|c", "toolong:12345|c", "d:4|c"], 12)
            .Select(Encoding.UTF8.GetString).ToArray();

        // A line as large as the buffer goes out by itself at once, ahead of what is buffered.
        Assert.Equal(["a:1|c\nb:2|c", "toolong:12345|c", "c:3|c\nd:4|c"], datagrams);
    }
}
