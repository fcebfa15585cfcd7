using System.Net;
using ActorMesh.Config;
using ActorMesh.Stats;

namespace ActorMesh.Upstream;

/// <summary>
/// What <see cref="UpstreamHost.TryLease(RoutingPriority, Action{PendingRequest}?, out UpstreamConnection?, out PendingRequest?)"/>
/// gave: a connection, a place in the pool's queue, or an overflow (503 <c>UO</c>).
/// </summary>
public enum LeaseResult
{
    Leased,
    Overflow,
    Pending,
}

/// <summary>
/// One endpoint of a cluster (Envoy's Host): its address, its keep-alive pool and its per-host counters, which
/// <c>/clusters</c> prints. Its connections live in one <see cref="ConnectionPool"/> per routing priority, as Envoy
/// keeps a pool per host and priority. Leasing and releasing are lock-free, so requests never wait on the cluster actor.
/// </summary>
public sealed class UpstreamHost
{
    private readonly ConnectionPool _defaultPool;
    private readonly ConnectionPool _highPool;
    private readonly UpstreamCluster _cluster;
    private readonly ClusterStats _clusterStats;
    private int _healthFlags;
    private long _cxActive;
    private long _cxTotal;
    private long _cxConnectFail;
    private long _rqTotal;
    private long _rqActive;
    private long _rqSuccess;
    private long _rqError;

    public UpstreamHost(EndpointConfig config, string hostname, IPEndPoint endpoint, UpstreamCluster cluster)
    {
        Config = config;
        Hostname = config.Hostname.Length > 0 ? config.Hostname : hostname;
        Endpoint = endpoint;
        _cluster = cluster;
        _clusterStats = cluster.Stats;
        ConnectTimeout = cluster.Config.ConnectTimeout;
        var maxRequests = cluster.Config.ConnectionPool.MaxRequestsPerConnection;
        _defaultPool = new ConnectionPool(this, cluster.CircuitBreaker, cluster.OverflowStats, maxRequests);
        _highPool = new ConnectionPool(this, cluster.HighPriorityCircuitBreaker, cluster.OverflowStats, maxRequests);
        if (cluster.Config.OutlierDetection is { } outlier)
        {
            Outlier = new OutlierHostMonitor(outlier, this, cluster.ReportOutlierThreshold);
        }
        if (cluster.Config.HealthChecks.Count > 0)
        {
            // Envoy: a host of an actively checked cluster counts as unhealthy until its first check passes.
            _healthFlags = (int)(HostHealthFlags.FailedActiveHc | HostHealthFlags.PendingActiveHc);
        }
    }

    public EndpointConfig Config { get; }
    public string Hostname { get; }
    public IPEndPoint Endpoint { get; }
    public TimeSpan ConnectTimeout { get; }
    public uint Weight => Config.Weight;
    public int Priority => Config.Priority;
    public int LocalityIndex => Config.LocalityIndex;
    public uint LocalityWeight => Config.LocalityWeight;

    /// <summary>Where active health checks go: the endpoint, or <c>health_check_config.port_value</c> when set.</summary>
    public IPEndPoint HealthCheckEndpoint =>
        Config.HealthCheckPort > 0 ? new IPEndPoint(Endpoint.Address, Config.HealthCheckPort) : Endpoint;

    /// <summary>Set when the cluster speaks HTTP/2 to this host.</summary>
    internal Http2UpstreamOptions? Http2 => _cluster.Http2;

    /// <summary>The passive health of this host; null without <c>outlier_detection</c>.</summary>
    public OutlierHostMonitor? Outlier { get; }

    public HostHealthFlags HealthFlags => (HostHealthFlags)Volatile.Read(ref _healthFlags);

    public bool IsHealthy => Volatile.Read(ref _healthFlags) == 0;

    public bool HasHealthFlag(HostHealthFlags flag) => (HealthFlags & flag) != 0;

    /// <summary>Set by the actors that own health (health checker, outlier detector); read by snapshots and /clusters.</summary>
    internal void SetHealthFlag(HostHealthFlags flag, bool on)
    {
        if (on)
        {
            Interlocked.Or(ref _healthFlags, (int)flag);
        }
        else
        {
            Interlocked.And(ref _healthFlags, ~(int)flag);
        }
    }

    public long CxActive => Interlocked.Read(ref _cxActive);
    public long CxTotal => Interlocked.Read(ref _cxTotal);
    public long CxConnectFail => Interlocked.Read(ref _cxConnectFail);
    public long RqTotal => Interlocked.Read(ref _rqTotal);
    public long RqActive => Interlocked.Read(ref _rqActive);
    public long RqSuccess => Interlocked.Read(ref _rqSuccess);
    public long RqError => Interlocked.Read(ref _rqError);

    /// <summary>
    /// A connection for a request of <paramref name="priority"/> from that priority's pool, within its circuit breaker:
    /// an idle one, else a new one within <c>max_connections</c>, else a place in the pool's queue within
    /// <c>max_pending_requests</c>; <paramref name="onReady"/> is told when a queued request can take its connection
    /// (<see cref="PendingRequest.Take"/>). Past a limit the request overflows; without <paramref name="onReady"/>
    /// it never queues.
    /// </summary>
    public LeaseResult TryLease(RoutingPriority priority, Action<PendingRequest>? onReady, out UpstreamConnection? connection, out PendingRequest? pending) =>
        Pool(priority).TryLease(onReady, out connection, out pending);

    /// <summary>A DEFAULT priority connection now or an overflow, never a wait: for shadows, which do not queue.</summary>
    public LeaseResult TryLease(out UpstreamConnection? connection) =>
        _defaultPool.TryLease(null, out connection, out _);

    internal ConnectionPool Pool(RoutingPriority priority) => priority == RoutingPriority.High ? _highPool : _defaultPool;

    /// <summary>Counts a request's lease on <paramref name="connection"/>, Envoy's host and cluster request stats.</summary>
    internal UpstreamConnection Leased(UpstreamConnection connection, long leasedAt)
    {
        Interlocked.Increment(ref _rqTotal);
        Interlocked.Increment(ref _rqActive);
        _clusterStats.UpstreamRqTotal.Inc();
        _clusterStats.UpstreamRqActive.Inc();
        connection.LeasedAt = leasedAt;
        connection.Requests++;
        return connection;
    }

    /// <summary>A connect failure, reset or timeout before any response, for outlier detection.</summary>
    public void ReportLocalOriginFailure() => Outlier?.PutLocalOriginFailure();

    /// <summary>
    /// Ends a request on this host. Only a connection whose response was read to its end, on both sides keep-alive,
    /// goes back to the pool; anything else is closed. <paramref name="status"/> is the upstream's response code (0 when
    /// none arrived), charged to the cluster's per-code stats.
    /// </summary>
    public void Release(UpstreamConnection connection, bool success, bool reusable, int status = 0)
    {
        if (status > 0)
        {
            _clusterStats.CompleteUpstreamRequest(status, connection.LeasedAt, complete: success);
            Outlier?.PutHttpResponseCode(status);
        }
        Interlocked.Decrement(ref _rqActive);
        _clusterStats.UpstreamRqActive.Dec();
        Interlocked.Increment(ref success ? ref _rqSuccess : ref _rqError);
        connection.Pool.Return(connection, reusable);
    }

    /// <summary>The TCP handshake of a new connection completed after <paramref name="connectStart"/>.</summary>
    internal void OnConnected(long connectStart) => _clusterStats.UpstreamCxConnectMs.RecordElapsedMs(connectStart);

    public void OnConnectFailure()
    {
        Interlocked.Increment(ref _cxConnectFail);
        _clusterStats.UpstreamCxConnectFail.Inc();
    }

    /// <summary>
    /// The host left the cluster, or its cluster stopped: idle connections close, requests waiting for a connection
    /// fail (503), leased connections close when released.
    /// </summary>
    public void Drain()
    {
        _defaultPool.Drain();
        _highPool.Drain();
    }

    /// <summary>Closes pooled connections idle since before <paramref name="idleSince"/> (<c>idle_timeout</c>); returns how many.</summary>
    internal int CloseIdleSince(long idleSince) => _defaultPool.CloseIdleSince(idleSince) + _highPool.CloseIdleSince(idleSince);

    internal void OnConnectionOpened(UpstreamConnection connection)
    {
        Interlocked.Increment(ref _cxActive);
        Interlocked.Increment(ref _cxTotal);
        _clusterStats.UpstreamCxTotal.Inc();
        _clusterStats.UpstreamCxActive.Inc();
        (connection.IsHttp2 ? _cluster.CodecStats.UpstreamCxHttp2Total : _cluster.CodecStats.UpstreamCxHttp1Total).Inc();
    }

    internal void OnConnectionClosed()
    {
        Interlocked.Decrement(ref _cxActive);
        _clusterStats.UpstreamCxActive.Dec();
        _clusterStats.UpstreamCxDestroy.Inc();
    }
}
