using System.Collections.Concurrent;

namespace ActorMesh.Stats;

/// <summary>
/// Envoy's stats scope: a prefix (<c>cluster.local_service.</c>) and the stats under it. Stats are created once, when
/// the owner builds its typed stats object, and then updated without locks; readers (admin, sinks) enumerate.
/// </summary>
public sealed class StatsScope
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Gauge> _gauges = new(StringComparer.Ordinal);

    public StatsScope(string prefix) => Prefix = prefix;

    /// <summary>The scope's prefix including its trailing dot, e.g. <c>http.ingress_http.</c>.</summary>
    public string Prefix { get; }

    public Counter Counter(string name) => _counters.GetOrAdd(name, static (n, prefix) => new Counter(prefix + n), Prefix);

    public Gauge Gauge(string name) => _gauges.GetOrAdd(name, static (n, prefix) => new Gauge(prefix + n), Prefix);

    public IEnumerable<Counter> Counters => _counters.Values;

    public IEnumerable<Gauge> Gauges => _gauges.Values;
}
