namespace ActorMesh.Stats;

/// <summary>A monotonically increasing stat, updated lock-free on the request path.</summary>
public sealed class Counter : Metric
{
    private long _value;
    // Only the scope's latch (one actor) reads and writes this.
    private long _latched;

    public Counter(string name) : this(name, null, rejected: false) { }

    internal Counter(string name, TagProducer? tagProducer, bool rejected) : base(name, tagProducer, rejected) { }

    public long Value => Interlocked.Read(ref _value);

    /// <summary>Envoy's "used" flag: the counter has counted something.</summary>
    public bool Used => Value != 0;

    public void Inc() => Interlocked.Increment(ref _value);

    public void Add(long amount) => Interlocked.Add(ref _value, amount);

    /// <summary>Back to zero, for the admin's <c>/reset_counters</c>.</summary>
    public void Reset() => Interlocked.Exchange(ref _value, 0);

    /// <summary>The increase since the previous latch (statsd sinks send counters as deltas).</summary>
    internal long LatchDelta()
    {
        var value = Value;
        // After /reset_counters the value restarts below the last latch: all of it is new since then.
        var delta = value >= _latched ? value - _latched : value;
        _latched = value;
        return delta;
    }
}

/// <summary>A stat that goes up and down (active connections) or is set (uptime).</summary>
public sealed class Gauge : Metric
{
    private long _value;
    private bool _used;

    public Gauge(string name) : this(name, null, rejected: false) { }

    internal Gauge(string name, TagProducer? tagProducer, bool rejected) : base(name, tagProducer, rejected) { }

    public long Value => Interlocked.Read(ref _value);

    /// <summary>Envoy's "used" flag: the gauge has been set or moved at least once.</summary>
    public bool Used => Volatile.Read(ref _used);

    public void Inc()
    {
        Interlocked.Increment(ref _value);
        MarkUsed();
    }

    public void Dec()
    {
        Interlocked.Decrement(ref _value);
        MarkUsed();
    }

    /// <summary>Moves the gauge by <paramref name="delta"/> (negative to lower it), e.g. bytes buffered.</summary>
    public void Add(long delta)
    {
        Interlocked.Add(ref _value, delta);
        MarkUsed();
    }

    public void Set(long value)
    {
        Interlocked.Exchange(ref _value, value);
        MarkUsed();
    }

    // Read before write: after the first update the cache line is only read.
    private void MarkUsed()
    {
        if (!_used)
        {
            _used = true;
        }
    }
}
