namespace ActorMesh.Stats;

/// <summary>What a histogram measures; statsd sinks send milliseconds as <c>|ms</c>.</summary>
public enum HistogramUnit
{
    Unspecified,
    Milliseconds,
}

/// <summary>
/// A distribution of values (Envoy's ParentHistogram), recorded lock-free and allocation-free on the request path:
/// one interlocked increment in a log-linear bin (for quantiles), one in a fixed bucket (for Prometheus), one on the
/// sum, and a slot in a bounded ring of raw samples for statsd-style sinks. The owning scope's actor latches it every
/// <c>stats_flush_interval</c>; the interval statistics are those of the last completed interval, as in Envoy.
/// </summary>
public sealed class Histogram : Metric
{
    /// <summary>Raw samples kept per flush interval; beyond this the oldest of the interval are overwritten.</summary>
    public const int SampleCapacity = 4096;

    private readonly double[] _bounds;
    private readonly long[] _bins = new long[LogLinearBins.Count];
    // Disjoint counts: [i] counts values in (bounds[i-1], bounds[i]]; the last counts values above every bound.
    private readonly long[] _buckets;
    private readonly long[] _samples;
    private long _sum;
    private long _sampleWrites;

    // Latch state: only the scope's actor touches these.
    private long[] _latchedBins = new long[LogLinearBins.Count];
    private long[] _latchedBuckets;
    private long _latchedSampleWrites;
    private HistogramInterval _lastInterval;

    internal Histogram(string name, HistogramUnit unit, IReadOnlyList<double> bounds, TagProducer? tagProducer, bool rejected)
        : base(name, tagProducer, rejected)
    {
        Unit = unit;
        _bounds = bounds.ToArray();
        _buckets = new long[_bounds.Length + 1];
        _latchedBuckets = new long[_buckets.Length];
        // A rejected histogram records nothing, so it needs no sample ring.
        _samples = new long[rejected ? 1 : SampleCapacity];
        _lastInterval = HistogramInterval.Empty(_buckets.Length);
    }

    public HistogramUnit Unit { get; }

    /// <summary>The bucket upper bounds (Envoy's defaults or <c>histogram_bucket_settings</c>), ascending.</summary>
    public IReadOnlyList<double> Bounds => _bounds;

    public long Sum => Interlocked.Read(ref _sum);

    public long Count
    {
        get
        {
            long count = 0;
            foreach (ref readonly var bucket in _buckets.AsSpan())
            {
                count += Volatile.Read(in bucket);
            }
            return count;
        }
    }

    /// <summary>Envoy's "used": at least one value recorded.</summary>
    public bool Used => Count > 0;

    /// <summary>The statistics of the last latched interval (NaN quantiles before any value arrived in one).</summary>
    public HistogramInterval LastInterval => Volatile.Read(ref _lastInterval);

    public void Record(long value)
    {
        if (Rejected)
        {
            return;
        }
        if (value < 0)
        {
            value = 0;
        }
        Interlocked.Increment(ref _bins[LogLinearBins.Index(value)]);
        Interlocked.Increment(ref _buckets[BucketIndex(value)]);
        Interlocked.Add(ref _sum, value);
        var slot = Interlocked.Increment(ref _sampleWrites) - 1;
        Volatile.Write(ref _samples[slot % SampleCapacity], value);
    }

    /// <summary>Records the milliseconds since <paramref name="startTimestamp"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public void RecordElapsedMs(long startTimestamp)
    {
        if (startTimestamp != 0)
        {
            Record((long)System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);
        }
    }

    /// <summary>Quantiles over everything recorded so far, aligned with <see cref="LogLinearBins.SupportedQuantiles"/>.</summary>
    public double[] CumulativeQuantiles() => LogLinearBins.Quantiles(ReadAll(_bins));

    /// <summary>Everything recorded so far per log-linear bin; two readings apart give that span's quantiles (<c>mesh top</c>).</summary>
    internal long[] BinCounts() => ReadAll(_bins);

    /// <summary>Cumulative counts per bound: [i] counts values ≤ bounds[i] (Prometheus' <c>le</c>).</summary>
    public long[] CumulativeBucketCounts() => Accumulate(ReadAll(_buckets));

    /// <summary>
    /// Closes the interval: its quantiles, bucket counts and samples become <see cref="LastInterval"/>. Called by the
    /// owning <see cref="StatsScopeActor"/> only. Samples come from a ring written without locks; a writer that has
    /// claimed a slot but not yet filled it may leave the previous round's value there, which a sample stream tolerates.
    /// </summary>
    internal HistogramInterval Latch()
    {
        var bins = ReadAll(_bins);
        var buckets = ReadAll(_buckets);
        var intervalBins = new long[bins.Length];
        for (var i = 0; i < bins.Length; i++)
        {
            intervalBins[i] = bins[i] - _latchedBins[i];
        }
        var intervalBuckets = new long[buckets.Length];
        for (var i = 0; i < buckets.Length; i++)
        {
            intervalBuckets[i] = buckets[i] - _latchedBuckets[i];
        }
        _latchedBins = bins;
        _latchedBuckets = buckets;

        var writes = Interlocked.Read(ref _sampleWrites);
        var fresh = writes - _latchedSampleWrites;
        var kept = (int)Math.Min(fresh, SampleCapacity);
        var samples = new long[kept];
        for (var i = 0; i < kept; i++)
        {
            samples[i] = Volatile.Read(in _samples[(writes - kept + i) % SampleCapacity]);
        }
        _latchedSampleWrites = writes;
        var interval = new HistogramInterval(LogLinearBins.Quantiles(intervalBins), intervalBuckets, samples, fresh - kept);
        Volatile.Write(ref _lastInterval, interval);
        return interval;
    }

    private int BucketIndex(long value)
    {
        var bounds = _bounds;
        var i = 0;
        while (i < bounds.Length && value > bounds[i])
        {
            i++;
        }
        return i;
    }

    private static long[] ReadAll(long[] counts)
    {
        var copy = new long[counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            copy[i] = Volatile.Read(in counts[i]);
        }
        return copy;
    }

    /// <summary>Disjoint counts (with the overflow last) to cumulative counts per bound.</summary>
    internal static long[] Accumulate(IReadOnlyList<long> disjoint)
    {
        var cumulative = new long[disjoint.Count - 1];
        long running = 0;
        for (var i = 0; i < cumulative.Length; i++)
        {
            running += disjoint[i];
            cumulative[i] = running;
        }
        return cumulative;
    }
}

/// <summary>
/// One flush interval of a histogram: quantiles (aligned with Envoy's supported quantiles; NaN when the interval had
/// no values), disjoint bucket counts (overflow last), and the raw samples kept (at most
/// <see cref="Histogram.SampleCapacity"/>; <paramref name="SamplesDropped"/> counts the rest).
/// </summary>
public sealed record HistogramInterval(IReadOnlyList<double> Quantiles, IReadOnlyList<long> DisjointBuckets, IReadOnlyList<long> Samples, long SamplesDropped)
{
    public static HistogramInterval Empty(int buckets) =>
        new(LogLinearBins.SupportedQuantiles.Select(_ => double.NaN).ToArray(), new long[buckets], [], 0);
}
