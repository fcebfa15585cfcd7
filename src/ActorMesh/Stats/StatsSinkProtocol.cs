using Akka.Actor;

namespace ActorMesh.Stats;

/// <summary>
/// The contract between stats scopes and stats sinks (statsd, dog_statsd, …). A sink is an actor registered with
/// <see cref="StatsStore.Sinks"/> (or given to the server as <c>ServerOptions.StatsSinks</c>). Every
/// <c>stats_flush_interval</c> each live scope's <see cref="StatsScopeActor"/> sends it one <see cref="Flush"/> with
/// that scope's stats (so a sink sees every scope once per interval, in no particular order); when a scope is deleted
/// with its listener or cluster the sink gets <see cref="ScopeRemoved"/> and never hears of those stats again.
/// Snapshots are immutable and shared by all sinks: a sink must not hold up its mailbox for long (send on a socket,
/// do not wait on it).
/// </summary>
public static class StatsSinkProtocol
{
    /// <summary>Marker for every message a sink receives.</summary>
    public interface IStatsSinkMessage;

    /// <summary>One scope's stats at the end of a flush interval.</summary>
    public sealed record Flush(MetricsSnapshot Snapshot) : IStatsSinkMessage;

    /// <summary>The scope with this prefix was deleted; a sink that aggregates drops what it kept of it.</summary>
    public sealed record ScopeRemoved(string Prefix) : IStatsSinkMessage;
}

/// <summary>
/// One scope's stats at a flush: <paramref name="ScopePrefix"/> (<c>cluster.backend.</c>), when the interval closed
/// and how long it was.
/// </summary>
public sealed record MetricsSnapshot(
    string ScopePrefix,
    DateTimeOffset Timestamp,
    TimeSpan Interval,
    IReadOnlyList<CounterSnapshot> Counters,
    IReadOnlyList<GaugeSnapshot> Gauges,
    IReadOnlyList<HistogramSnapshot> Histograms);

/// <summary>A counter: its full name, tag-extracted name and tags, its value and its increase since the last flush (statsd's <c>|c</c>).</summary>
public sealed record CounterSnapshot(string Name, string TagExtractedName, IReadOnlyList<StatTag> Tags, long Value, long Delta);

/// <summary>A gauge: its full name, tag-extracted name and tags, and its value (statsd's <c>|g</c>).</summary>
public sealed record GaugeSnapshot(string Name, string TagExtractedName, IReadOnlyList<StatTag> Tags, long Value);

/// <summary>
/// A histogram. <paramref name="IntervalSamples"/>: the raw values recorded during the interval (statsd's <c>|ms</c>),
/// at most <see cref="Histogram.SampleCapacity"/>, the newest kept; <paramref name="IntervalSamplesDropped"/> counts
/// the rest. <paramref name="CumulativeBucketCounts"/>[i] counts values ≤ <paramref name="Bounds"/>[i] since start;
/// <paramref name="Sum"/> and <paramref name="Count"/> are cumulative too. Quantiles are aligned with
/// <see cref="SupportedQuantiles"/> (Envoy's 0, 0.25, …, 1); interval quantiles are NaN when the interval had no values.
/// </summary>
public sealed record HistogramSnapshot(
    string Name,
    string TagExtractedName,
    IReadOnlyList<StatTag> Tags,
    HistogramUnit Unit,
    IReadOnlyList<long> IntervalSamples,
    long IntervalSamplesDropped,
    IReadOnlyList<double> Bounds,
    IReadOnlyList<long> CumulativeBucketCounts,
    long Sum,
    long Count,
    IReadOnlyList<double> IntervalQuantiles,
    IReadOnlyList<double> CumulativeQuantiles)
{
    public static IReadOnlyList<double> SupportedQuantiles => LogLinearBins.SupportedQuantiles;
}

/// <summary>The sink actors of one node. Registration is rare; every flush reads the current set without locks.</summary>
public sealed class StatsSinkRegistry
{
    private System.Collections.Immutable.ImmutableArray<IActorRef> _sinks = [];

    public System.Collections.Immutable.ImmutableArray<IActorRef> Current => _sinks;

    /// <summary>Adds a sink; from the next flush on every scope sends it <see cref="StatsSinkProtocol.Flush"/>.</summary>
    public void Register(IActorRef sink) =>
        System.Collections.Immutable.ImmutableInterlocked.Update(ref _sinks, static (s, sink) => s.Contains(sink) ? s : s.Add(sink), sink);

    public void Unregister(IActorRef sink) =>
        System.Collections.Immutable.ImmutableInterlocked.Update(ref _sinks, static (s, sink) => s.Remove(sink), sink);
}
