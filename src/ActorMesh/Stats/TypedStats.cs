namespace ActorMesh.Stats;

/// <summary>Envoy's <c>http.&lt;stat_prefix&gt;.*</c> stats of one HTTP connection manager.</summary>
public sealed class HttpConnectionManagerStats
{
    private readonly ResponseCodeStats _responseCodes;

    public HttpConnectionManagerStats(StatsScope scope)
    {
        DownstreamRqCompleted = scope.Counter("downstream_rq_completed");
        DownstreamRqTime = scope.Histogram("downstream_rq_time", HistogramUnit.Milliseconds);
        DownstreamCxLengthMs = scope.Histogram("downstream_cx_length_ms", HistogramUnit.Milliseconds);
        DownstreamCxTotal = scope.Counter("downstream_cx_total");
        DownstreamCxActive = scope.Gauge("downstream_cx_active");
        DownstreamCxProtocolError = scope.Counter("downstream_cx_protocol_error");
        DownstreamRqTotal = scope.Counter("downstream_rq_total");
        DownstreamRqActive = scope.Gauge("downstream_rq_active");
        NoRoute = scope.Counter("no_route");
        NoCluster = scope.Counter("no_cluster");
        RqRedirect = scope.Counter("rq_redirect");
        RqDirectResponse = scope.Counter("rq_direct_response");
        DownstreamRqTimeout = scope.Counter("downstream_rq_timeout");
        DownstreamRqIdleTimeout = scope.Counter("downstream_rq_idle_timeout");
        DownstreamRqHeaderTimeout = scope.Counter("downstream_rq_header_timeout");
        DownstreamCxIdleTimeout = scope.Counter("downstream_cx_idle_timeout");
        DownstreamCxDelayedCloseTimeout = scope.Counter("downstream_cx_delayed_close_timeout");
        DownstreamCxUpgradesTotal = scope.Counter("downstream_cx_upgrades_total");
        DownstreamCxUpgradesActive = scope.Gauge("downstream_cx_upgrades_active");
        DownstreamRqWsOnNonWsRoute = scope.Counter("downstream_rq_ws_on_non_ws_route");
        DownstreamRqRejectedWithUnderscores = scope.Counter("requests_rejected_with_underscores_in_headers");
        DownstreamDroppedHeadersWithUnderscores = scope.Counter("dropped_headers_with_underscores");
        _responseCodes = new ResponseCodeStats(scope, "downstream_rq", perCode: false).WithClassesCreated();
    }

    public Counter DownstreamCxTotal { get; }
    public Gauge DownstreamCxActive { get; }
    public Counter DownstreamCxProtocolError { get; }
    public Counter DownstreamRqTotal { get; }
    public Gauge DownstreamRqActive { get; }
    public Counter NoRoute { get; }
    public Counter NoCluster { get; }
    public Counter RqRedirect { get; }
    public Counter RqDirectResponse { get; }
    public Counter DownstreamRqTimeout { get; }
    public Counter DownstreamRqIdleTimeout { get; }
    public Counter DownstreamRqHeaderTimeout { get; }
    public Counter DownstreamCxIdleTimeout { get; }
    public Counter DownstreamCxDelayedCloseTimeout { get; }
    public Counter DownstreamCxUpgradesTotal { get; }
    public Gauge DownstreamCxUpgradesActive { get; }
    public Counter DownstreamRqWsOnNonWsRoute { get; }
    public Counter DownstreamRqRejectedWithUnderscores { get; }
    public Counter DownstreamDroppedHeadersWithUnderscores { get; }
    public Counter DownstreamRqCompleted { get; }
    public Histogram DownstreamRqTime { get; }
    public Histogram DownstreamCxLengthMs { get; }

    public void CountResponse(int status) => _responseCodes.Count(status);

    /// <summary>
    /// The end of an exchange whose response went out: <c>downstream_rq_&lt;N&gt;xx</c>, <c>downstream_rq_completed</c>
    /// and <c>downstream_rq_time</c> since <paramref name="startTimestamp"/> (0: not known).
    /// </summary>
    public void CompleteRequest(int status, long startTimestamp)
    {
        _responseCodes.Count(status);
        DownstreamRqCompleted.Inc();
        DownstreamRqTime.RecordElapsedMs(startTimestamp);
    }
}

/// <summary>Envoy's <c>cluster.&lt;name&gt;.*</c> stats.</summary>
public sealed class ClusterStats
{
    private readonly ResponseCodeStats _responseCodes;

    public ClusterStats(StatsScope scope)
    {
        Scope = scope;
        UpstreamRqCompleted = scope.Counter("upstream_rq_completed");
        UpstreamRqTime = scope.Histogram("upstream_rq_time", HistogramUnit.Milliseconds);
        UpstreamCxConnectMs = scope.Histogram("upstream_cx_connect_ms", HistogramUnit.Milliseconds);
        _responseCodes = new ResponseCodeStats(scope, "upstream_rq", perCode: true);
        UpstreamRqTotal = scope.Counter("upstream_rq_total");
        UpstreamRqActive = scope.Gauge("upstream_rq_active");
        UpstreamCxTotal = scope.Counter("upstream_cx_total");
        UpstreamCxActive = scope.Gauge("upstream_cx_active");
        UpstreamCxConnectFail = scope.Counter("upstream_cx_connect_fail");
        UpstreamCxNoneHealthy = scope.Counter("upstream_cx_none_healthy");
        UpstreamCxDestroy = scope.Counter("upstream_cx_destroy");
        UpstreamRqTimeout = scope.Counter("upstream_rq_timeout");
        MembershipTotal = scope.Gauge("membership_total");
        MembershipHealthy = scope.Gauge("membership_healthy");
    }

    /// <summary>The <c>cluster.&lt;name&gt;.</c> scope, for the stats of the cluster's circuit breakers, outlier detector and health checker.</summary>
    public StatsScope Scope { get; }
    public Counter UpstreamRqTotal { get; }
    public Gauge UpstreamRqActive { get; }
    public Counter UpstreamCxTotal { get; }
    public Gauge UpstreamCxActive { get; }
    public Counter UpstreamCxConnectFail { get; }
    public Counter UpstreamCxNoneHealthy { get; }
    public Counter UpstreamCxDestroy { get; }
    public Counter UpstreamRqTimeout { get; }
    public Gauge MembershipTotal { get; }
    public Gauge MembershipHealthy { get; }
    public Counter UpstreamRqCompleted { get; }
    public Histogram UpstreamRqTime { get; }
    public Histogram UpstreamCxConnectMs { get; }

    /// <summary>
    /// An upstream response: <c>upstream_rq_&lt;code&gt;</c>, <c>upstream_rq_&lt;N&gt;xx</c>, <c>upstream_rq_completed</c>, and,
    /// when it was read to its end, <c>upstream_rq_time</c> since <paramref name="startTimestamp"/>.
    /// </summary>
    public void CompleteUpstreamRequest(int status, long startTimestamp, bool complete)
    {
        _responseCodes.Count(status);
        UpstreamRqCompleted.Inc();
        if (complete)
        {
            UpstreamRqTime.RecordElapsedMs(startTimestamp);
        }
    }
}

/// <summary>Envoy's <c>listener.&lt;address&gt;_&lt;port&gt;.*</c> stats.</summary>
public sealed class ListenerStats
{
    public ListenerStats(StatsScope scope)
    {
        DownstreamCxTotal = scope.Counter("downstream_cx_total");
        DownstreamCxActive = scope.Gauge("downstream_cx_active");
        DownstreamCxLengthMs = scope.Histogram("downstream_cx_length_ms", HistogramUnit.Milliseconds);
    }

    public Counter DownstreamCxTotal { get; }
    public Gauge DownstreamCxActive { get; }
    public Histogram DownstreamCxLengthMs { get; }
}
