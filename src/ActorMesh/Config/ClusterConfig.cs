namespace ActorMesh.Config;

public enum DiscoveryType
{
    Static,
    StrictDns,
    LogicalDns,
}

public enum LbPolicy
{
    RoundRobin,
    LeastRequest,
    Random,
    RingHash,
    Maglev,
}

/// <summary>Envoy's <c>dns_lookup_family</c>: which addresses a name's answer contributes.</summary>
public enum DnsLookupFamily
{
    Auto,
    V4Only,
    V6Only,
    V4Preferred,
    All,
}

/// <summary>Envoy's <c>Cluster</c>. Endpoints come from <c>load_assignment</c> or the legacy v2 <c>hosts</c> list.</summary>
public sealed record ClusterConfig(
    string Name,
    TimeSpan ConnectTimeout,
    DiscoveryType Type,
    LbPolicy LbPolicy,
    EquatableArray<SocketAddressConfig> Endpoints,
    TimeSpan DnsRefreshRate)
{
    /// <summary>Envoy's default <c>connect_timeout</c>.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Envoy's default <c>dns_refresh_rate</c>.</summary>
    public static readonly TimeSpan DefaultDnsRefreshRate = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Each endpoint with its weight, priority and locality, in <see cref="Endpoints"/> order; empty means every
    /// endpoint has the defaults (weight 1, priority 0, one unnamed locality).
    /// </summary>
    public EquatableArray<EndpointConfig> LbEndpoints { get; init; } = EquatableArray<EndpointConfig>.Empty;

    /// <summary>V4_PREFERRED by default: Envoy's AUTO prefers IPv6, which loopback test names rarely listen on.</summary>
    public DnsLookupFamily DnsLookupFamily { get; init; } = DnsLookupFamily.V4Preferred;

    public LoadBalancingConfig LoadBalancing { get; init; } = LoadBalancingConfig.Default;

    public CircuitBreakersConfig CircuitBreakers { get; init; } = CircuitBreakersConfig.Default;

    public OutlierDetectionConfig? OutlierDetection { get; init; }

    public EquatableArray<HealthCheckConfig> HealthChecks { get; init; } = EquatableArray<HealthCheckConfig>.Empty;

    public ConnectionPoolConfig ConnectionPool { get; init; } = ConnectionPoolConfig.Default;

    /// <summary>Set when the cluster speaks HTTP/2 to its endpoints (<c>http2_protocol_options</c>); null for HTTP/1.1.</summary>
    public Http2ProtocolOptionsConfig? Http2ProtocolOptions { get; init; }

    /// <summary>The endpoints with their attributes, defaults filled in.</summary>
    public IReadOnlyList<EndpointConfig> EffectiveEndpoints() =>
        LbEndpoints.Count > 0 ? LbEndpoints : Endpoints.Select(EndpointConfig.Plain).ToArray();
}

/// <summary>Envoy's <c>core.v3.Locality</c>.</summary>
public sealed record LocalityConfig(string Region, string Zone, string SubZone)
{
    public static readonly LocalityConfig Empty = new(string.Empty, string.Empty, string.Empty);
}

/// <summary>
/// One <c>lb_endpoint</c> with what its <c>locality_lb_endpoints</c> entry says. <paramref name="LocalityWeight"/> 0
/// means unset, which under locality weighted LB takes no traffic, as in Envoy.
/// </summary>
public sealed record EndpointConfig(
    SocketAddressConfig Address,
    string Hostname,
    uint Weight,
    int Priority,
    int LocalityIndex,
    LocalityConfig Locality,
    uint LocalityWeight,
    int HealthCheckPort)
{
    public static EndpointConfig Plain(SocketAddressConfig address) =>
        new(address, string.Empty, 1, 0, 0, LocalityConfig.Empty, 0, 0);
}

/// <summary>
/// <c>common_lb_config</c>, <c>least_request_lb_config</c>, <c>ring_hash_lb_config</c> and the load assignment's
/// <c>policy.overprovisioning_factor</c>.
/// </summary>
public sealed record LoadBalancingConfig(
    double HealthyPanicThreshold,
    bool LocalityWeighted,
    uint OverprovisioningFactor,
    int ChoiceCount,
    long MinimumRingSize,
    long MaximumRingSize)
{
    /// <summary>Envoy's defaults: panic below 50 % healthy, factor 140, two choices, rings of 1024 to 8M entries.</summary>
    public static readonly LoadBalancingConfig Default = new(50, false, 140, 2, 1024, 8 * 1024 * 1024);
}

/// <summary>One <c>circuit_breakers.thresholds</c> entry.</summary>
public sealed record ThresholdsConfig(long MaxConnections, long MaxPendingRequests, long MaxRequests, long MaxRetries, bool TrackRemaining)
{
    /// <summary>Envoy's defaults: 1024 connections, pending and active requests, 3 concurrent retries.</summary>
    public static readonly ThresholdsConfig Default = new(1024, 1024, 1024, 3, false);
}

/// <summary><c>circuit_breakers</c>: thresholds for the DEFAULT and HIGH routing priorities.</summary>
public sealed record CircuitBreakersConfig(ThresholdsConfig DefaultPriority, ThresholdsConfig HighPriority)
{
    public static readonly CircuitBreakersConfig Default = new(ThresholdsConfig.Default, ThresholdsConfig.Default);

    public ThresholdsConfig For(RoutingPriority priority) => priority == RoutingPriority.High ? HighPriority : DefaultPriority;
}

/// <summary>
/// Envoy's <c>RoutingPriority</c>: a route's <c>priority</c> picks the cluster's circuit breaker thresholds and
/// connection pools of that priority.
/// </summary>
public enum RoutingPriority
{
    Default,
    High,
}

/// <summary>Envoy's <c>outlier_detection</c>; percentages are 0–100, the stdev factor is in thousandths.</summary>
public sealed record OutlierDetectionConfig(
    uint Consecutive5xx,
    uint ConsecutiveGatewayFailure,
    TimeSpan Interval,
    TimeSpan BaseEjectionTime,
    TimeSpan MaxEjectionTime,
    uint MaxEjectionPercent,
    uint EnforcingConsecutive5xx,
    uint EnforcingConsecutiveGatewayFailure,
    uint EnforcingSuccessRate,
    uint SuccessRateMinimumHosts,
    uint SuccessRateRequestVolume,
    uint SuccessRateStdevFactor)
{
    public static readonly OutlierDetectionConfig Default = new(
        5, 5, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(300), 10, 100, 0, 100, 5, 100, 1900);
}

public enum HealthCheckKind
{
    Http,
    Tcp,
}

/// <summary>An <c>expected_statuses</c> range, start inclusive and end exclusive as in Envoy's Int64Range.</summary>
public sealed record StatusRange(long Start, long End);

/// <summary>One <c>health_checks</c> entry (HTTP or TCP connect).</summary>
public sealed record HealthCheckConfig(
    HealthCheckKind Kind,
    TimeSpan Timeout,
    TimeSpan Interval,
    TimeSpan IntervalJitter,
    uint IntervalJitterPercent,
    TimeSpan InitialJitter,
    uint UnhealthyThreshold,
    uint HealthyThreshold,
    TimeSpan NoTrafficInterval,
    TimeSpan NoTrafficHealthyInterval,
    TimeSpan UnhealthyInterval,
    TimeSpan UnhealthyEdgeInterval,
    TimeSpan HealthyEdgeInterval,
    string Path,
    string? Host,
    EquatableArray<StatusRange> ExpectedStatuses)
{
    /// <summary>Envoy's <c>no_traffic_interval</c> default.</summary>
    public static readonly TimeSpan DefaultNoTrafficInterval = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The deprecated v3 <c>event_log_path</c>: a file that receives Envoy's health check events (ejections,
    /// additions, first-check failures) as JSON lines; null logs none.
    /// </summary>
    public string? EventLogPath { get; init; }

    /// <summary><c>always_log_health_check_failures</c>: every failure is an event, not only a host's first check.</summary>
    public bool AlwaysLogHealthCheckFailures { get; init; }

    /// <summary><c>always_log_health_check_success</c>: every success is an event.</summary>
    public bool AlwaysLogHealthCheckSuccess { get; init; }

    public bool IsExpected(int status)
    {
        if (ExpectedStatuses.Count == 0)
        {
            return status == 200;
        }
        foreach (var range in ExpectedStatuses)
        {
            if (status >= range.Start && status < range.End)
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>The upstream HTTP connection pool: <c>common_http_protocol_options</c>.</summary>
public sealed record ConnectionPoolConfig(TimeSpan IdleTimeout, long MaxRequestsPerConnection)
{
    /// <summary>Envoy's default <c>idle_timeout</c> of 1 h; 0 requests per connection means unlimited.</summary>
    public static readonly ConnectionPoolConfig Default = new(TimeSpan.FromHours(1), 0);
}

/// <summary>
/// Envoy's <c>Http2ProtocolOptions</c> for an upstream cluster (cleartext, prior knowledge), with Envoy's defaults.
/// </summary>
public sealed record Http2ProtocolOptionsConfig(
    uint HpackTableSize,
    uint MaxConcurrentStreams,
    uint InitialStreamWindowSize,
    uint InitialConnectionWindowSize)
{
    /// <summary>Envoy's defaults: a 4096-octet HPACK table, 2^31 - 1 streams, 256 MiB windows.</summary>
    public static readonly Http2ProtocolOptionsConfig Default = new(4096, int.MaxValue, 256 * 1024 * 1024, 256 * 1024 * 1024);
}
