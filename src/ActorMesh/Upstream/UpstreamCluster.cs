using ActorMesh.Config;
using ActorMesh.Http.Http2;
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

/// <summary>The cluster's connection counters by protocol, and what ends a connection at the codec.</summary>
public sealed class UpstreamCodecStats(StatsScope scope)
{
    public Counter UpstreamCxHttp1Total { get; } = scope.Counter("upstream_cx_http1_total");
    public Counter UpstreamCxHttp2Total { get; } = scope.Counter("upstream_cx_http2_total");
    public Counter UpstreamCxProtocolError { get; } = scope.Counter("upstream_cx_protocol_error");
    /// <summary>Connections the upstream announced it would close (HTTP/2 GOAWAY).</summary>
    public Counter UpstreamCxCloseNotify { get; } = scope.Counter("upstream_cx_close_notify");
}

/// <summary>Envoy's HTTP/2 codec stats of a cluster, <c>cluster.&lt;name&gt;.http2.*</c>: the ones ActorMesh's codec can detect.</summary>
public sealed class Http2CodecStats(StatsScope scope)
{
    public Counter HeaderOverflow { get; } = scope.Counter("http2.header_overflow");
    public Counter RxMessagingError { get; } = scope.Counter("http2.rx_messaging_error");
    public Counter RxReset { get; } = scope.Counter("http2.rx_reset");
    public Counter TxReset { get; } = scope.Counter("http2.tx_reset");
    public Gauge StreamsActive { get; } = scope.Gauge("http2.streams_active");
    public Gauge PendingSendBytes { get; } = scope.Gauge("http2.pending_send_bytes");
}

/// <summary>A cluster's HTTP/2 settings and stats, shared by the codecs of all its connections.</summary>
internal sealed record Http2UpstreamOptions(Http2SessionSettings Settings, Http2CodecStats Stats, UpstreamCodecStats CodecStats)
{
    public static Http2SessionSettings SessionSettings(Http2ProtocolOptionsConfig config) => new(
        config.MaxConcurrentStreams,
        (int)config.InitialStreamWindowSize,
        (int)config.InitialConnectionWindowSize,
        (int)Math.Min(config.HpackTableSize, int.MaxValue),
        Http2UpstreamCodec.MaxResponseHeaderListSize);
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
        CodecStats = new UpstreamCodecStats(stats.Scope);
        if (config.Http2ProtocolOptions is { } http2)
        {
            Http2Stats = new Http2CodecStats(stats.Scope);
            Http2 = new Http2UpstreamOptions(Http2UpstreamOptions.SessionSettings(http2), Http2Stats, CodecStats);
        }
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

    public UpstreamCodecStats CodecStats { get; }

    /// <summary>Present when the cluster speaks HTTP/2 to its endpoints (<c>http2_protocol_options</c>).</summary>
    public Http2CodecStats? Http2Stats { get; }

    /// <summary>What each new connection's HTTP/2 codec needs; null for an HTTP/1.1 cluster.</summary>
    internal Http2UpstreamOptions? Http2 { get; }

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
