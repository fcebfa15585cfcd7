using ActorMesh.Config;
using ActorMesh.Stats;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Stats;

public sealed class StatsConfigTests
{
    private static BootstrapConfig Load(string bootstrapYaml)
    {
        var result = ConfigLoader.LoadYaml(bootstrapYaml + ProxyHarness.SimpleConfig(8080));
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return result.Config!;
    }

    private static string[] Errors(string bootstrapYaml)
    {
        var result = ConfigLoader.LoadYaml(bootstrapYaml + ProxyHarness.SimpleConfig(8080));
        Assert.False(result.IsValid);
        return result.Errors.Select(e => e.ToString()).ToArray();
    }

    [Fact]
    public void Defaults_are_envoys()
    {
        var config = Load(string.Empty);
        Assert.Equal(TimeSpan.FromSeconds(5), config.StatsFlushInterval);
        Assert.Equal(StatsConfig.Default, config.StatsConfig);
    }

    [Fact]
    public void Every_stats_config_field_is_read()
    {
        var config = Load("""
            stats_flush_interval: 0.5s
            stats_config:
              use_all_default_tags: false
              stats_tags:
              - tag_name: envoy.cluster_name
              - tag_name: region
                fixed_value: eu-west-1
              - tag_name: version
                regex: '\.((v\d+)\.)'
              stats_matcher:
                exclusion_list:
                  patterns:
                  - prefix: cluster.internal.
                  - suffix: _ms
                  - exact: server.live
                  - contains: bogus
                  - safe_regex: { google_re2: {}, regex: 'listener\..*' }
              histogram_bucket_settings:
              - match: { prefix: cluster. }
                buckets: [100, 1, 10]

            """);
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.StatsFlushInterval);
        var stats = config.StatsConfig;
        Assert.False(stats.UseAllDefaultTags);
        Assert.Equal(new TagSpecifierConfig("region", null, "eu-west-1"), stats.StatsTags[1]);
        Assert.Equal(StatsMatcherMode.ExclusionList, stats.StatsMatcher.Mode);
        Assert.Equal(new StringMatcherConfig(StringMatchKind.SafeRegex, @"listener\..*", false), stats.StatsMatcher.Patterns[4]);
        Assert.Equal([1.0, 10, 100], stats.HistogramBucketSettings[0].Buckets);
    }

    [Theory]
    [InlineData("stats_flush_interval: 300s\n", "stats_flush_interval (line 1): must be at least 1ms and less than 300s")]
    [InlineData("stats_flush_on_admin: true\n", "stats_flush_on_admin (line 1): unknown field")]
    [InlineData("stats_config:\n  bogus: 1\n", "stats_config.bogus (line 2): unknown field")]
    [InlineData("stats_config:\n  stats_matcher:\n    inclusion_list:\n      patterns:\n      - prefix: a\n        regex: b\n", "stats_config.stats_matcher.inclusion_list.patterns[0].regex (line 6): unknown field")]
    [InlineData("stats_config:\n  stats_matcher:\n    inclusion_list:\n      patterns:\n      - prefix: a\n        exact: b\n", "stats_config.stats_matcher.inclusion_list.patterns[0] (line 5): only one of exact, prefix, suffix, contains or safe_regex may be set")]
    [InlineData("stats_config:\n  stats_matcher:\n    reject_all: true\n    exclusion_list: { patterns: [] }\n", "stats_config.stats_matcher (line 3): only one of reject_all, exclusion_list or inclusion_list may be set")]
    [InlineData("stats_config:\n  stats_tags:\n  - tag_name: envoy.cluster_name\n", "stats_config.stats_tags[0].tag_name (line 3): tag name 'envoy.cluster_name' specified twice")]
    [InlineData("stats_config:\n  stats_tags:\n  - tag_name: mine\n", "stats_config.stats_tags[0] (line 3): no regex specified for tag specifier and no default regex for name: 'mine'")]
    [InlineData("stats_config:\n  stats_tags:\n  - tag_name: mine\n    regex: '(('\n", "stats_config.stats_tags[0].regex (line 4): invalid regex")]
    [InlineData("stats_config:\n  histogram_bucket_settings:\n  - match: { prefix: a }\n    buckets: [1, 0]\n", "stats_config.histogram_bucket_settings[0].buckets[1] (line 4): expected a number greater than 0, got '0'")]
    public void Unsupported_or_invalid_fields_are_errors_with_path_and_line(string yaml, string expected) =>
        Assert.Contains(Errors(yaml), e => e.StartsWith(expected, StringComparison.Ordinal));

    [Fact]
    public void Stats_matcher_hides_rejected_stats_from_every_view_but_they_still_work()
    {
        var config = Load("""
            stats_config:
              stats_matcher:
                inclusion_list:
                  patterns:
                  - prefix: cluster.
                  - safe_regex: { regex: 'http\.[^.]+\.downstream_rq_total' }

            """);
        var store = new StatsStore(StatsSettings.From(config));
        var included = store.GetOrCreate("cluster.backend.").Counter("upstream_rq_total");
        var http = store.GetOrCreate("http.ingress.");
        var rejected = http.Counter("downstream_cx_total");
        var kept = http.Counter("downstream_rq_total");
        var histogram = http.Histogram("downstream_rq_time", HistogramUnit.Milliseconds);
        included.Inc();
        rejected.Inc();
        kept.Inc();
        histogram.Record(5);
        Assert.Equal(1, rejected.Value);
        Assert.Equal(["cluster.backend.upstream_rq_total", "http.ingress.downstream_rq_total"], store.Snapshot().Select(s => s.Key));
        Assert.Empty(store.Histograms());
        Assert.Equal(0, histogram.Count);
    }

    [Fact]
    public void Reject_all_and_exclusion_list()
    {
        Assert.True(new StatsMatcher(new StatsMatcherConfig(StatsMatcherMode.RejectAll, EquatableArray<StringMatcherConfig>.Empty)).Rejects("server.live"));
        var exclusion = new StatsMatcher(new StatsMatcherConfig(StatsMatcherMode.ExclusionList,
            new[] { new StringMatcherConfig(StringMatchKind.Suffix, "_MS", IgnoreCase: true) }.ToEquatableArray()));
        Assert.True(exclusion.Rejects("listener.admin.downstream_cx_length_ms"));
        Assert.False(exclusion.Rejects("listener.admin.downstream_cx_total"));
        var regex = new StringMatcher(new StringMatcherConfig(StringMatchKind.SafeRegex, "cluster", false));
        Assert.False(regex.Matches("cluster.backend.upstream_rq_total"));
        Assert.True(regex.Matches("cluster"));
    }

    [Fact]
    public void Histogram_bucket_settings_apply_to_matching_histograms_only()
    {
        var config = Load("""
            stats_config:
              histogram_bucket_settings:
              - match: { prefix: cluster. }
                buckets: [1, 10, 100]

            """);
        var store = new StatsStore(StatsSettings.From(config));
        Assert.Equal([1.0, 10, 100], store.GetOrCreate("cluster.a.").Histogram("upstream_rq_time", HistogramUnit.Milliseconds).Bounds);
        Assert.Equal(StatsSettings.DefaultBuckets, store.GetOrCreate("http.a.").Histogram("downstream_rq_time", HistogramUnit.Milliseconds).Bounds);
    }
}
