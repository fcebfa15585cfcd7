using ActorMesh.Config;
using ActorMesh.Stats;

namespace ActorMesh.Upstream;

/// <summary>
/// Envoy's CircuitBreaker (ResourceManager) for one routing priority: lock-free counters of connections, pending
/// requests, active requests and active retries, each refused past its threshold. Publishes
/// <c>circuit_breakers.&lt;priority&gt;.*_open</c> and, with <c>track_remaining</c>, <c>remaining_*</c>.
/// </summary>
public sealed class CircuitBreaker
{
    public CircuitBreaker(ThresholdsConfig thresholds, StatsScope scope, string priority)
    {
        var prefix = $"circuit_breakers.{priority}.";
        Gauge? Remaining(string name) => thresholds.TrackRemaining ? scope.Gauge(prefix + name) : null;
        Connections = new ResourceLimit(thresholds.MaxConnections, scope.Gauge(prefix + "cx_open"), Remaining("remaining_cx"));
        PendingRequests = new ResourceLimit(thresholds.MaxPendingRequests, scope.Gauge(prefix + "rq_pending_open"), Remaining("remaining_pending"));
        Requests = new ResourceLimit(thresholds.MaxRequests, scope.Gauge(prefix + "rq_open"), Remaining("remaining_rq"));
        Retries = new ResourceLimit(thresholds.MaxRetries, scope.Gauge(prefix + "rq_retry_open"), Remaining("remaining_retries"));
        RetryOverflow = scope.Counter("upstream_rq_retry_overflow");
    }

    public ResourceLimit Connections { get; }
    public ResourceLimit PendingRequests { get; }
    public ResourceLimit Requests { get; }
    public ResourceLimit Retries { get; }

    private Counter RetryOverflow { get; }

    /// <summary>For the retry policy: false (and <c>upstream_rq_retry_overflow</c>) when <c>max_retries</c> are in flight.</summary>
    public bool TryAcquireRetry()
    {
        if (Retries.TryAcquire())
        {
            return true;
        }
        RetryOverflow.Inc();
        return false;
    }

    public void ReleaseRetry() => Retries.Release();
}

/// <summary>One circuit breaker threshold: an interlocked count that refuses to pass its maximum.</summary>
public sealed class ResourceLimit
{
    private readonly long _max;
    private readonly Gauge _open;
    private readonly Gauge? _remaining;
    private long _count;

    public ResourceLimit(long max, Gauge open, Gauge? remaining)
    {
        _max = max;
        _open = open;
        _remaining = remaining;
        _open.Set(0);
        _remaining?.Set(max);
    }

    public long Count => Interlocked.Read(ref _count);

    public long Max => _max;

    public bool TryAcquire()
    {
        if (Interlocked.Increment(ref _count) > _max)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        Publish();
        return true;
    }

    /// <summary>
    /// Counts one past the maximum: Envoy gives a host chosen by the load balancer its first connection even when
    /// <c>max_connections</c> is reached, so its pending requests are never left without a way to be served.
    /// </summary>
    public void ForceAcquire()
    {
        Interlocked.Increment(ref _count);
        Publish();
    }

    public void Release()
    {
        Interlocked.Decrement(ref _count);
        Publish();
    }

    // Gauges read the count after the change: concurrent updates may publish out of order, the next one corrects it.
    // The open gauge is written only when it flips, so requests share no written cache line for it.
    private void Publish()
    {
        var count = Count;
        var open = count >= _max ? 1 : 0;
        if (_open.Value != open)
        {
            _open.Set(open);
        }
        _remaining?.Set(Math.Max(0, _max - count));
    }
}
