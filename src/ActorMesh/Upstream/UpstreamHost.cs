using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using ActorMesh.Config;
using ActorMesh.Stats;

namespace ActorMesh.Upstream;

/// <summary>Whether <see cref="UpstreamHost.TryLease"/> gave a connection or a circuit breaker refused one (503 <c>UO</c>).</summary>
public enum LeaseResult
{
    Leased,
    Overflow,
}

/// <summary>
/// One endpoint of a cluster (Envoy's Host): its address, its keep-alive pool and its per-host counters, which
/// <c>/clusters</c> prints. Leasing and releasing are lock-free, so requests never wait on the cluster actor.
/// </summary>
public sealed class UpstreamHost
{
    // Envoy's circuit_breakers default max_connections; the idle pool never holds more.
    private const int MaxIdleConnections = 1024;

    private readonly ConcurrentQueue<UpstreamConnection> _idle = new();
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
    /// An idle pooled connection when there is one, else a new one, within the cluster's DEFAULT circuit breaker:
    /// <c>max_requests</c> active requests, <c>max_connections</c> connections and <c>max_pending_requests</c> requests
    /// waiting for a connection to open. ActorMesh does not queue: a request past a limit fails at once.
    /// </summary>
    public LeaseResult TryLease(out UpstreamConnection? connection)
    {
        connection = null;
        var breaker = _cluster.CircuitBreaker;
        if (!breaker.Requests.TryAcquire())
        {
            _cluster.OverflowStats.UpstreamRqPendingOverflow.Inc();
            return LeaseResult.Overflow;
        }
        var leasedAt = Stopwatch.GetTimestamp();
        while (_idle.TryDequeue(out var pooled))
        {
            if (pooled.TryLease())
            {
                connection = Leased(pooled, leasedAt);
                return LeaseResult.Leased;
            }
        }
        if (!breaker.Connections.TryAcquire())
        {
            breaker.Requests.Release();
            _cluster.OverflowStats.UpstreamCxOverflow.Inc();
            return LeaseResult.Overflow;
        }
        if (!breaker.PendingRequests.TryAcquire())
        {
            breaker.Connections.Release();
            breaker.Requests.Release();
            _cluster.OverflowStats.UpstreamRqPendingOverflow.Inc();
            return LeaseResult.Overflow;
        }
        var opened = UpstreamConnection.Open(this);
        // The request is pending until its connection is up (or failed).
        opened.Connected.ContinueWith(static (_, b) => ((CircuitBreaker)b!).PendingRequests.Release(), breaker, TaskScheduler.Default);
        connection = Leased(opened, leasedAt);
        return LeaseResult.Leased;
    }

    private UpstreamConnection Leased(UpstreamConnection connection, long leasedAt)
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
        _cluster.CircuitBreaker.Requests.Release();
        Interlocked.Increment(ref success ? ref _rqSuccess : ref _rqError);
        var maxRequests = _cluster.Config.ConnectionPool.MaxRequestsPerConnection;
        if (reusable && maxRequests > 0 && connection.Requests >= maxRequests)
        {
            _cluster.OverflowStats.UpstreamCxMaxRequests.Inc();
            connection.Close(abort: false);
        }
        else if (reusable && !connection.IsClosed && connection.IsReusable && _idle.Count < MaxIdleConnections)
        {
            connection.MarkIdle();
            _idle.Enqueue(connection);
        }
        else
        {
            connection.Close(abort: !reusable);
        }
    }

    /// <summary>The TCP handshake of a new connection completed after <paramref name="connectStart"/>.</summary>
    internal void OnConnected(long connectStart) => _clusterStats.UpstreamCxConnectMs.RecordElapsedMs(connectStart);

    public void OnConnectFailure()
    {
        Interlocked.Increment(ref _cxConnectFail);
        _clusterStats.UpstreamCxConnectFail.Inc();
    }

    /// <summary>Closes the idle connections of a host that left the cluster; leased ones close when released.</summary>
    public void CloseIdle()
    {
        while (_idle.TryDequeue(out var pooled))
        {
            pooled.Close(abort: false);
        }
    }

    /// <summary>
    /// Closes pooled connections idle since before <paramref name="idleSince"/> (<c>idle_timeout</c>). The pool is
    /// first in, first out, so the oldest idle connection is at its head; returns how many closed.
    /// </summary>
    internal int CloseIdleSince(long idleSince)
    {
        var closed = 0;
        while (_idle.TryPeek(out var oldest) && oldest.IdleSince < idleSince)
        {
            if (!_idle.TryDequeue(out var taken))
            {
                break;
            }
            if (taken.IdleSince >= idleSince)
            {
                // A lease took the peeked one first; this one is younger: back in the pool.
                _idle.Enqueue(taken);
                break;
            }
            if (taken.TryLease())
            {
                taken.Close(abort: false);
                closed++;
            }
        }
        return closed;
    }

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
        _cluster.CircuitBreaker.Connections.Release();
        Interlocked.Decrement(ref _cxActive);
        _clusterStats.UpstreamCxActive.Dec();
        _clusterStats.UpstreamCxDestroy.Inc();
    }
}
