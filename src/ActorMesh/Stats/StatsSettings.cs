using ActorMesh.Config;

namespace ActorMesh.Stats;

/// <summary>A node's compiled <c>stats_config</c> and <c>stats_flush_interval</c>, shared by all its scopes.</summary>
public sealed class StatsSettings
{
    /// <summary>Envoy's default histogram bucket bounds (milliseconds), used unless <c>histogram_bucket_settings</c> match.</summary>
    public static readonly IReadOnlyList<double> DefaultBuckets =
        [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    private readonly (StringMatcher Match, double[] Buckets)[] _bucketSettings;

    public StatsSettings(StatsConfig config, TimeSpan flushInterval)
    {
        TagProducer = TagProducer.Create(config);
        Matcher = new StatsMatcher(config.StatsMatcher);
        _bucketSettings = config.HistogramBucketSettings.Select(s => (new StringMatcher(s.Match), s.Buckets.ToArray())).ToArray();
        FlushInterval = flushInterval;
    }

    public static StatsSettings Default { get; } = new(StatsConfig.Default, BootstrapConfig.DefaultStatsFlushInterval);

    public static StatsSettings From(BootstrapConfig config) => new(config.StatsConfig, config.StatsFlushInterval);

    public TagProducer TagProducer { get; }

    public StatsMatcher Matcher { get; }

    public TimeSpan FlushInterval { get; }

    /// <summary>The first matching <c>histogram_bucket_settings</c> entry's bounds, else Envoy's defaults.</summary>
    public IReadOnlyList<double> BucketsFor(string histogramName)
    {
        foreach (var (match, buckets) in _bucketSettings)
        {
            if (match.Matches(histogramName))
            {
                return buckets;
            }
        }
        return DefaultBuckets;
    }
}
