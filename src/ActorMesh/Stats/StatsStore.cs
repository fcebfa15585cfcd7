using System.Collections.Concurrent;

namespace ActorMesh.Stats;

/// <summary>
/// All live scopes of one node, the node's stats settings and its registered sinks. Scopes are added and removed by
/// their owning <see cref="StatsScopeActor"/>; the request path never touches the store, only the stats it was handed.
/// </summary>
public sealed class StatsStore
{
    private readonly ConcurrentDictionary<string, StatsScope> _scopes = new(StringComparer.Ordinal);

    public StatsStore() : this(StatsSettings.Default) { }

    public StatsStore(StatsSettings settings) => Settings = settings;

    public StatsSettings Settings { get; }

    /// <summary>The sink actors every scope flushes to.</summary>
    public StatsSinkRegistry Sinks { get; } = new();

    public StatsScope GetOrCreate(string prefix) => _scopes.GetOrAdd(prefix, static (p, settings) => new StatsScope(p, settings), Settings);

    public void Remove(string prefix) => _scopes.TryRemove(prefix, out _);

    /// <summary>
    /// Removes <paramref name="scope"/> only if it is still the one registered under its prefix: a name removed and
    /// added again by a later config version has a new scope that an old owner stopping late must not take away.
    /// </summary>
    public void Remove(StatsScope scope) => _scopes.TryRemove(KeyValuePair.Create(scope.Prefix, scope));

    public bool Contains(string prefix) => _scopes.ContainsKey(prefix);

    public IEnumerable<StatsScope> Scopes => _scopes.Values;

    /// <summary>Every counter and gauge as (full name, value), sorted by name as Envoy's <c>/stats</c> prints them.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Snapshot()
    {
        var all = new List<KeyValuePair<string, long>>();
        foreach (var scope in _scopes.Values)
        {
            all.AddRange(scope.Counters.Select(c => KeyValuePair.Create(c.Name, c.Value)));
            all.AddRange(scope.Gauges.Select(g => KeyValuePair.Create(g.Name, g.Value)));
        }
        all.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return all;
    }

    /// <summary>Every histogram of every live scope, sorted by name.</summary>
    public IReadOnlyList<Histogram> Histograms() =>
        _scopes.Values.SelectMany(s => s.Histograms).OrderBy(h => h.Name, StringComparer.Ordinal).ToArray();
}
