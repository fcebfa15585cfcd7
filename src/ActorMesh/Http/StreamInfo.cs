using System.Net;

namespace ActorMesh.Http;

/// <summary>
/// Envoy's response flags: why a response is what it is. Names and meanings are Envoy's; the access log prints the
/// short codes (<c>NR</c>, <c>UH</c>, …) with <see cref="ResponseFlagCodes"/>.
/// </summary>
[Flags]
public enum ResponseFlags
{
    None = 0,
    /// <summary><c>UH</c>: no healthy upstream host.</summary>
    NoHealthyUpstream = 1 << 0,
    /// <summary><c>UF</c>: upstream connection failure.</summary>
    UpstreamConnectionFailure = 1 << 1,
    /// <summary><c>UO</c>: upstream overflow (circuit breaking).</summary>
    UpstreamOverflow = 1 << 2,
    /// <summary><c>NR</c>: no route configured.</summary>
    NoRouteFound = 1 << 3,
    /// <summary><c>UT</c>: upstream request timeout.</summary>
    UpstreamRequestTimeout = 1 << 4,
    /// <summary><c>UC</c>: upstream connection termination.</summary>
    UpstreamConnectionTermination = 1 << 5,
    /// <summary><c>LR</c>: connection local reset.</summary>
    LocalReset = 1 << 6,
    /// <summary><c>UR</c>: upstream remote reset.</summary>
    UpstreamRemoteReset = 1 << 7,
    /// <summary><c>DC</c>: downstream connection termination.</summary>
    DownstreamConnectionTermination = 1 << 8,
    /// <summary><c>RL</c>: rate limited locally.</summary>
    RateLimited = 1 << 9,
    /// <summary><c>DI</c>: fault injected (delay).</summary>
    DelayInjected = 1 << 10,
    /// <summary><c>FI</c>: fault injected (abort).</summary>
    FaultInjected = 1 << 11,
    /// <summary><c>SI</c>: stream idle timeout.</summary>
    StreamIdleTimeout = 1 << 12,
    /// <summary><c>DPE</c>: downstream protocol error.</summary>
    DownstreamProtocolError = 1 << 13,
    /// <summary><c>UPE</c>: upstream protocol error.</summary>
    UpstreamProtocolError = 1 << 14,
    /// <summary><c>DT</c>: request or connection duration timeout.</summary>
    DurationTimeout = 1 << 15,
    /// <summary><c>URX</c>: upstream retry limit exceeded.</summary>
    UpstreamRetryLimitExceeded = 1 << 16,
    /// <summary><c>NC</c>: the route's cluster (named by <c>cluster_header</c>, say) does not exist.</summary>
    NoClusterFound = 1 << 17,
    /// <summary><c>LH</c>: the health check filter answered 503 because health checks are failed locally.</summary>
    FailedLocalHealthCheck = 1 << 18,
}

/// <summary>
/// Everything known about one request/response exchange (Envoy's StreamInfo), filled in by the HTTP connection
/// manager stage as the exchange proceeds. A new instance per request; once handed to the access log it is never
/// written again, so loggers may read it from any thread.
/// </summary>
public sealed class StreamInfo
{
    public required DateTimeOffset StartTime { get; init; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp at the first byte of the request.</summary>
    public required long StartTimestamp { get; init; }

    public EndPoint? DownstreamRemoteAddress { get; init; }

    public EndPoint? DownstreamLocalAddress { get; init; }

    /// <summary>The request as the proxy forwarded it (after hop-by-hop removal and proxy-added headers).</summary>
    public HttpRequestHead? Request { get; set; }

    /// <summary>Response headers as sent downstream; null for local replies built without a header object.</summary>
    public HttpHeaders? ResponseHeaders { get; set; }

    /// <summary>0 when no response was sent (for example a downstream reset before any response).</summary>
    public int ResponseCode { get; set; }

    /// <summary>Envoy's <c>%RESPONSE_CODE_DETAILS%</c>, e.g. <c>via_upstream</c>, <c>route_not_found</c>.</summary>
    public string? ResponseCodeDetails { get; set; }

    public ResponseFlags Flags { get; set; }

    /// <summary>Request body bytes received from downstream.</summary>
    public long BytesReceived { get; set; }

    /// <summary>Response body bytes sent downstream.</summary>
    public long BytesSent { get; set; }

    /// <summary>Stopwatch timestamp at the end of the exchange; 0 while in flight.</summary>
    public long EndTimestamp { get; set; }

    /// <summary>Stopwatch timestamp of the first upstream response byte; 0 if none.</summary>
    public long FirstUpstreamByteTimestamp { get; set; }

    public string? RouteName { get; set; }

    public string? UpstreamCluster { get; set; }

    public EndPoint? UpstreamHost { get; set; }

    public TimeSpan? Duration => EndTimestamp == 0 ? null : System.Diagnostics.Stopwatch.GetElapsedTime(StartTimestamp, EndTimestamp);

    /// <summary>The duration so far while in flight (a local reply being mapped), the final one once ended.</summary>
    public TimeSpan CurrentDuration => Duration ?? System.Diagnostics.Stopwatch.GetElapsedTime(StartTimestamp);

    /// <summary>Envoy's <c>healthCheck()</c>: the health check filter recognised the request as a health check.</summary>
    public bool HealthCheck { get; set; }

    /// <summary>
    /// The body of the local reply being formatted (<c>%LOCAL_REPLY_BODY%</c>); set only while a
    /// <c>local_reply_config</c> body format runs, so access logs see it empty, as in Envoy.
    /// </summary>
    public string? LocalReplyBody { get; set; }
}
