namespace ActorMesh.Stats;

/// <summary>Envoy's <c>http.&lt;stat_prefix&gt;.*</c> stats of one HTTP connection manager.</summary>
public sealed class HttpConnectionManagerStats
{
    private readonly Counter[] _rqByClass;

    public HttpConnectionManagerStats(StatsScope scope)
    {
        DownstreamCxTotal = scope.Counter("downstream_cx_total");
        DownstreamCxActive = scope.Gauge("downstream_cx_active");
        DownstreamCxProtocolError = scope.Counter("downstream_cx_protocol_error");
        DownstreamRqTotal = scope.Counter("downstream_rq_total");
        DownstreamRqActive = scope.Gauge("downstream_rq_active");
        NoRoute = scope.Counter("no_route");
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
        _rqByClass = Enumerable.Range(1, 5).Select(c => scope.Counter($"downstream_rq_{c}xx")).ToArray();
    }

    public Counter DownstreamCxTotal { get; }
    public Gauge DownstreamCxActive { get; }
    public Counter DownstreamCxProtocolError { get; }
    public Counter DownstreamRqTotal { get; }
    public Gauge DownstreamRqActive { get; }
    public Counter NoRoute { get; }
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

    public void CountResponse(int status)
    {
        var statusClass = status / 100;
        if (statusClass is >= 1 and <= 5)
        {
            _rqByClass[statusClass - 1].Inc();
        }
    }
}

/// <summary>Envoy's <c>cluster.&lt;name&gt;.*</c> stats.</summary>
public sealed class ClusterStats
{
    public ClusterStats(StatsScope scope)
    {
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
}

/// <summary>Envoy's <c>listener.&lt;address&gt;_&lt;port&gt;.*</c> stats.</summary>
public sealed class ListenerStats
{
    public ListenerStats(StatsScope scope)
    {
        DownstreamCxTotal = scope.Counter("downstream_cx_total");
        DownstreamCxActive = scope.Gauge("downstream_cx_active");
    }

    public Counter DownstreamCxTotal { get; }
    public Gauge DownstreamCxActive { get; }
}
