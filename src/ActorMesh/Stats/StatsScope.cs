using System.Collections.Concurrent;

namespace ActorMesh.Stats;

/// <summary>
/// Envoy's stats scope: a prefix (<c>cluster.local_service.</c>) and the stats under it. Stats are created once, when
/// the owner builds its typed stats object (or, for per-status stats, the first time a status is seen), and then
/// updated without locks; readers (admin, the scope's actor) enumerate. A stat <c>stats_matcher</c> rejects is still
/// handed out, so the request path needs no checks, but no view lists it.
/// </summary>
public sealed class StatsScope
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Gauge> _gauges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Histogram> _histograms = new(StringComparer.Ordinal);
    private readonly StatsSettings _settings;

    public StatsScope(string prefix) : this(prefix, StatsSettings.Default) { }

    public StatsScope(string prefix, StatsSettings settings)
    {
        Prefix = prefix;
        _settings = settings;
    }

    /// <summary>The scope's prefix including its trailing dot, e.g. <c>http.ingress_http.</c>.</summary>
    public string Prefix { get; }

    public Counter Counter(string name) => _counters.GetOrAdd(name, static (n, scope) =>
    {
        var full = scope.Prefix + n;
        return new Counter(full, scope._settings.TagProducer, scope._settings.Matcher.Rejects(full));
    }, this);

    public Gauge Gauge(string name) => _gauges.GetOrAdd(name, static (n, scope) =>
    {
        var full = scope.Prefix + n;
        return new Gauge(full, scope._settings.TagProducer, scope._settings.Matcher.Rejects(full));
    }, this);

    public Histogram Histogram(string name, HistogramUnit unit) => _histograms.GetOrAdd(name, static (n, state) =>
    {
        var (scope, unit) = state;
        var full = scope.Prefix + n;
        return new Histogram(full, unit, scope._settings.BucketsFor(full), scope._settings.TagProducer, scope._settings.Matcher.Rejects(full));
    }, (this, unit));

    public IEnumerable<Counter> Counters => _counters.Values.Where(c => !c.Rejected);

    public IEnumerable<Gauge> Gauges => _gauges.Values.Where(g => !g.Rejected);

    public IEnumerable<Histogram> Histograms => _histograms.Values.Where(h => !h.Rejected);

    /// <summary>
    /// Closes the flush interval: counter deltas and histogram intervals since the previous latch. Only the scope's
    /// <see cref="StatsScopeActor"/> calls this, so deltas are never split between two readers.
    /// </summary>
    internal MetricsSnapshot Latch(DateTimeOffset now, TimeSpan interval)
    {
        var counters = Counters.Select(c =>
        {
            var delta = c.LatchDelta();
            return new CounterSnapshot(c.Name, c.TagExtractedName, c.Tags, c.Value, delta);
        }).ToArray();
        var gauges = Gauges.Select(g => new GaugeSnapshot(g.Name, g.TagExtractedName, g.Tags, g.Value)).ToArray();
        var histograms = Histograms.Select(h =>
        {
            var latched = h.Latch();
            return new HistogramSnapshot(
                h.Name, h.TagExtractedName, h.Tags, h.Unit, latched.Samples, latched.SamplesDropped, h.Bounds,
                h.CumulativeBucketCounts(), h.Sum, h.Count, latched.Quantiles, h.CumulativeQuantiles());
        }).ToArray();
        return new MetricsSnapshot(Prefix, now, interval, counters, gauges, histograms);
    }
}
