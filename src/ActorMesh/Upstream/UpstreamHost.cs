using System.Collections.Concurrent;
using System.Net;
using ActorMesh.Stats;

namespace ActorMesh.Upstream;

/// <summary>
/// One endpoint of a cluster (Envoy's Host): its address, its keep-alive pool and its per-host counters, which
/// <c>/clusters</c> prints. Leasing and releasing are lock-free, so requests never wait on the cluster actor.
/// </summary>
public sealed class UpstreamHost
{
    // Envoy's circuit_breakers default max_connections; the idle pool never holds more.
    private const int MaxIdleConnections = 1024;

    private readonly ConcurrentQueue<UpstreamConnection> _idle = new();
    private readonly ClusterStats _clusterStats;
    private long _cxActive;
    private long _cxTotal;
    private long _cxConnectFail;
    private long _rqTotal;
    private long _rqActive;
    private long _rqSuccess;
    private long _rqError;

    public UpstreamHost(string hostname, IPEndPoint endpoint, TimeSpan connectTimeout, ClusterStats clusterStats)
    {
        Hostname = hostname;
        Endpoint = endpoint;
        ConnectTimeout = connectTimeout;
        _clusterStats = clusterStats;
    }

    public string Hostname { get; }
    public IPEndPoint Endpoint { get; }
    public TimeSpan ConnectTimeout { get; }

    public long CxActive => Interlocked.Read(ref _cxActive);
    public long CxTotal => Interlocked.Read(ref _cxTotal);
    public long CxConnectFail => Interlocked.Read(ref _cxConnectFail);
    public long RqTotal => Interlocked.Read(ref _rqTotal);
    public long RqActive => Interlocked.Read(ref _rqActive);
    public long RqSuccess => Interlocked.Read(ref _rqSuccess);
    public long RqError => Interlocked.Read(ref _rqError);

    /// <summary>An idle pooled connection when there is one, else a new one.</summary>
    public UpstreamConnection Lease()
    {
        Interlocked.Increment(ref _rqTotal);
        Interlocked.Increment(ref _rqActive);
        _clusterStats.UpstreamRqTotal.Inc();
        _clusterStats.UpstreamRqActive.Inc();
        var leasedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        while (_idle.TryDequeue(out var pooled))
        {
            if (pooled.TryLease())
            {
                pooled.LeasedAt = leasedAt;
                return pooled;
            }
        }
        var opened = UpstreamConnection.Open(this);
        opened.LeasedAt = leasedAt;
        return opened;
    }

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
        }
        Interlocked.Decrement(ref _rqActive);
        _clusterStats.UpstreamRqActive.Dec();
        Interlocked.Increment(ref success ? ref _rqSuccess : ref _rqError);
        if (reusable && !connection.IsClosed && _idle.Count < MaxIdleConnections)
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

    internal void OnConnectionOpened(UpstreamConnection connection)
    {
        Interlocked.Increment(ref _cxActive);
        Interlocked.Increment(ref _cxTotal);
        _clusterStats.UpstreamCxTotal.Inc();
        _clusterStats.UpstreamCxActive.Inc();
    }

    internal void OnConnectionClosed()
    {
        Interlocked.Decrement(ref _cxActive);
        _clusterStats.UpstreamCxActive.Dec();
        _clusterStats.UpstreamCxDestroy.Inc();
    }
}
