using ActorMesh.Config;
using ActorMesh.Stats;

namespace ActorMesh.Upstream;

/// <summary>The live host set of one cluster, swapped whole when discovery changes it.</summary>
public sealed record ClusterMembership(IReadOnlyList<UpstreamHost> Hosts)
{
    public static readonly ClusterMembership Empty = new(Array.Empty<UpstreamHost>());
}

/// <summary>The cluster counters the circuit breakers and the pool add to <see cref="ClusterStats"/>.</summary>
public sealed class UpstreamOverflowStats(StatsScope scope)
{
    public Counter UpstreamRqPendingOverflow { get; } = scope.Counter("upstream_rq_pending_overflow");
    public Counter UpstreamRqPendingTotal { get; } = scope.Counter("upstream_rq_pending_total");
    public Gauge UpstreamRqPendingActive { get; } = scope.Gauge("upstream_rq_pending_active");
    public Counter UpstreamRqPendingFailureEject { get; } = scope.Counter("upstream_rq_pending_failure_eject");
    public Counter UpstreamRqCancelled { get; } = scope.Counter("upstream_rq_cancelled");
    public Counter UpstreamCxOverflow { get; } = scope.Counter("upstream_cx_overflow");
    public Counter UpstreamCxIdleTimeout { get; } = scope.Counter("upstream_cx_idle_timeout");
    public Counter UpstreamCxMaxRequests { get; } = scope.Counter("upstream_cx_max_requests");
}

/// <summary>Envoy's retry stats of a cluster (<c>upstream_rq_retry_overflow</c> is the circuit breaker's).</summary>
public sealed class UpstreamRetryStats(StatsScope scope)
{
    public Counter UpstreamRqRetry { get; } = scope.Counter("upstream_rq_retry");
    public Counter UpstreamRqRetrySuccess { get; } = scope.Counter("upstream_rq_retry_success");
    public Counter UpstreamRqRetryLimitExceeded { get; } = scope.Counter("upstream_rq_retry_limit_exceeded");
    public Counter UpstreamRqRetryBackoffExponential { get; } = scope.Counter("upstream_rq_retry_backoff_exponential");
    public Counter UpstreamRqPerTryTimeout { get; } = scope.Counter("upstream_rq_per_try_timeout");
    public Counter RetryOrShadowAbandoned { get; } = scope.Counter("retry_or_shadow_abandoned");
}

/// <summary>
/// What the data path sees of a cluster: its config, stats, circuit breakers, current membership and the balancer
/// snapshot (a <see cref="PrioritySet"/>). The <see cref="UpstreamClusterActor"/> owns it and publishes a new snapshot
/// whenever membership or health changes; requests read it without locks.
/// </summary>
public sealed class UpstreamCluster
{
    private ClusterMembership _membership = ClusterMembership.Empty;
    private PrioritySet _prioritySet = PrioritySet.Empty;
    private Action<UpstreamHost, OutlierEjectionType>? _outlierSink;

    public UpstreamCluster(ClusterConfig config, ClusterStats stats)
    {
        Config = config;
        Stats = stats;
        CircuitBreaker = new CircuitBreaker(config.CircuitBreakers.DefaultPriority, stats.Scope, "default");
        HighPriorityCircuitBreaker = new CircuitBreaker(config.CircuitBreakers.HighPriority, stats.Scope, "high");
        OverflowStats = new UpstreamOverflowStats(stats.Scope);
        RetryStats = new UpstreamRetryStats(stats.Scope);
    }

    public string Name => Config.Name;
    public ClusterConfig Config { get; }
    public ClusterStats Stats { get; }
    public ClusterMembership Membership => Volatile.Read(ref _membership);

    /// <summary>The DEFAULT routing priority's thresholds.</summary>
    public CircuitBreaker CircuitBreaker { get; }

    /// <summary>The HIGH routing priority's thresholds, for routes with <c>priority: HIGH</c>.</summary>
    public CircuitBreaker HighPriorityCircuitBreaker { get; }

    public CircuitBreaker Breaker(RoutingPriority priority) => priority == RoutingPriority.High ? HighPriorityCircuitBreaker : CircuitBreaker;

    public UpstreamOverflowStats OverflowStats { get; }

    public UpstreamRetryStats RetryStats { get; }

    internal PrioritySet PrioritySet => Volatile.Read(ref _prioritySet);

    /// <summary>Completes once the first discovery (and first health check round) finished, as Envoy warms a cluster.</summary>
    public TaskCompletionSource Initialized { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Envoy's ChooseHost: a priority level by the levels' healthy load, then a host by the cluster's
    /// <c>lb_policy</c> (the hash in <paramref name="context"/> for RING_HASH and MAGLEV). Null when no host can take
    /// the request (503 <c>UH</c>). Lock-free: one read of the current snapshot.
    /// </summary>
    public UpstreamHost? ChooseHost(in LoadBalancerContext context) => Volatile.Read(ref _prioritySet).ChooseHost(context);

    /// <summary>Where the hosts' outlier monitors report a crossed threshold; set by the cluster actor.</summary>
    internal void SetOutlierSink(Action<UpstreamHost, OutlierEjectionType> sink) => _outlierSink = sink;

    internal void ReportOutlierThreshold(UpstreamHost host, OutlierEjectionType type) => _outlierSink?.Invoke(host, type);

    /// <summary>New membership: swaps the host list and the balancer snapshot.</summary>
    internal void Publish(ClusterMembership membership)
    {
        Volatile.Write(ref _membership, membership);
        Rebuild();
    }

    /// <summary>Health changed: a new balancer snapshot over the same hosts.</summary>
    internal void Rebuild()
    {
        var membership = Membership;
        var snapshot = PrioritySet.Build(membership.Hosts, Config);
        Volatile.Write(ref _prioritySet, snapshot);
        Stats.MembershipTotal.Set(membership.Hosts.Count);
        Stats.MembershipHealthy.Set(snapshot.HealthyCount);
    }
}
