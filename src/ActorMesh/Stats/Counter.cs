namespace ActorMesh.Stats;

/// <summary>A monotonically increasing stat, updated lock-free on the request path.</summary>
public sealed class Counter
{
    private long _value;

    public Counter(string name) => Name = name;

    public string Name { get; }

    public long Value => Interlocked.Read(ref _value);

    public void Inc() => Interlocked.Increment(ref _value);

    public void Add(long amount) => Interlocked.Add(ref _value, amount);

    /// <summary>Back to zero, for the admin's <c>/reset_counters</c>.</summary>
    public void Reset() => Interlocked.Exchange(ref _value, 0);
}

/// <summary>A stat that goes up and down (active connections) or is set (uptime).</summary>
public sealed class Gauge
{
    private long _value;

    public Gauge(string name) => Name = name;

    public string Name { get; }

    public long Value => Interlocked.Read(ref _value);

    public void Inc() => Interlocked.Increment(ref _value);

    public void Dec() => Interlocked.Decrement(ref _value);

    public void Set(long value) => Interlocked.Exchange(ref _value, value);
}
