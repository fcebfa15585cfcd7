using System.Text.Json.Serialization;

namespace ActorMesh.Config;

/// <summary>
/// One <c>http_filters</c> entry: its name (v2 aliases folded into the v3 name), what it is and its typed config
/// (null for the router, which has no options yet).
/// </summary>
public sealed record HttpFilterConfig(string Name, HttpFilterKind Kind)
{
    public HttpFilterSettings? Settings { get; init; }
}

public enum HttpFilterKind
{
    Router,
    Fault,
    LocalRateLimit,
    Cors,
    HealthCheck,
    Buffer,
}

/// <summary>
/// A filter's typed config, in <c>http_filters</c> or as a route's or virtual host's <c>typed_per_filter_config</c>.
/// </summary>
// Serialization only (the admin's /config_dump).
[JsonDerivedType(typeof(FaultConfig), "fault")]
[JsonDerivedType(typeof(LocalRateLimitConfig), "local_ratelimit")]
[JsonDerivedType(typeof(CorsFilterConfig), "cors")]
[JsonDerivedType(typeof(CorsPolicyConfig), "cors_policy")]
[JsonDerivedType(typeof(HealthCheckFilterConfig), "health_check")]
[JsonDerivedType(typeof(BufferConfig), "buffer")]
[JsonDerivedType(typeof(DisabledFilterConfig), "disabled")]
public abstract record HttpFilterSettings;

/// <summary>
/// <c>envoy.config.route.v3.FilterConfig</c> with <c>disabled: true</c> and no <c>config</c>: the filter sits this
/// route (or virtual host) out.
/// </summary>
public sealed record DisabledFilterConfig : HttpFilterSettings
{
    public static readonly DisabledFilterConfig Instance = new();
}

/// <summary>A route's or virtual host's <c>typed_per_filter_config</c> entry, keyed by the filter's (v3) name.</summary>
public sealed record PerFilterConfig(string FilterName, HttpFilterSettings Settings);

/// <summary>Envoy's <c>FractionalPercent</c>.</summary>
public sealed record FractionalPercentConfig(long Numerator, FractionDenominator Denominator)
{
    public static readonly FractionalPercentConfig Zero = new(0, FractionDenominator.Hundred);
}

/// <summary>Envoy's <c>envoy.extensions.filters.http.fault.v3.HTTPFault</c>.</summary>
public sealed record FaultConfig : HttpFilterSettings
{
    public FaultDelayConfig? Delay { get; init; }

    public FaultAbortConfig? Abort { get; init; }

    /// <summary>Only requests routed to this cluster are faulted (<c>upstream_cluster</c>).</summary>
    public string? UpstreamCluster { get; init; }

    public EquatableArray<HeaderMatcherConfig> Headers { get; init; } = EquatableArray<HeaderMatcherConfig>.Empty;

    /// <summary>Only requests whose <c>x-envoy-downstream-service-node</c> is listed (<c>downstream_nodes</c>).</summary>
    public EquatableArray<string> DownstreamNodes { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Null: no limit on faults active at once.</summary>
    public long? MaxActiveFaults { get; init; }
}

/// <summary>
/// <c>delay</c>: a fixed delay, or (<c>header_delay</c>) the one the request asks for in
/// <c>x-envoy-fault-delay-request</c>; sampled by <c>percentage</c>.
/// </summary>
public sealed record FaultDelayConfig(TimeSpan? FixedDelay, bool HeaderDelay, FractionalPercentConfig Percentage);

/// <summary><c>abort</c>: <c>http_status</c>, or (<c>header_abort</c>) the request's <c>x-envoy-fault-abort-request</c>.</summary>
public sealed record FaultAbortConfig(int? HttpStatus, bool HeaderAbort, FractionalPercentConfig Percentage);

/// <summary>Envoy's <c>envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit</c>.</summary>
public sealed record LocalRateLimitConfig(string StatPrefix) : HttpFilterSettings
{
    /// <summary>Envoy's default <c>status</c>, TooManyRequests.</summary>
    public const int DefaultStatus = 429;

    /// <summary>Null: nothing is limited (the filter-level config of a per-route setup).</summary>
    public TokenBucketConfig? TokenBucket { get; init; }

    /// <summary>Unset in the config is 0 %, as in Envoy: the filter neither counts nor limits.</summary>
    public RuntimeFractionConfig? FilterEnabled { get; init; }

    public RuntimeFractionConfig? FilterEnforced { get; init; }

    public int Status { get; init; } = DefaultStatus;

    public EquatableArray<HeaderValueOptionConfig> ResponseHeadersToAdd { get; init; } = EquatableArray<HeaderValueOptionConfig>.Empty;

    public EquatableArray<HeaderValueOptionConfig> RequestHeadersToAddWhenNotEnforced { get; init; } = EquatableArray<HeaderValueOptionConfig>.Empty;
}

/// <summary>Envoy's <c>TokenBucket</c>: starts full; every <c>fill_interval</c> adds <c>tokens_per_fill</c> up to <c>max_tokens</c>.</summary>
public sealed record TokenBucketConfig(long MaxTokens, long TokensPerFill, TimeSpan FillInterval);

/// <summary>The <c>envoy.filters.http.cors</c> filter itself has no options; its policies live on routes and virtual hosts.</summary>
public sealed record CorsFilterConfig : HttpFilterSettings;

/// <summary>
/// Envoy's <c>CorsPolicy</c> (v3 <c>envoy.extensions.filters.http.cors.v3.CorsPolicy</c> or the older route and
/// virtual host <c>cors</c> field). Unset members defer to the less specific level's policy.
/// </summary>
public sealed record CorsPolicyConfig : HttpFilterSettings
{
    /// <summary>Null: not set at this level.</summary>
    public EquatableArray<StringMatcherConfig>? AllowOrigins { get; init; }

    public string? AllowMethods { get; init; }

    public string? AllowHeaders { get; init; }

    public string? ExposeHeaders { get; init; }

    public string? MaxAge { get; init; }

    public bool? AllowCredentials { get; init; }

    /// <summary>Null: enabled (v2's <c>enabled</c> default), unless v2 <c>enabled: false</c> set <see cref="LegacyEnabled"/>.</summary>
    public RuntimeFractionConfig? FilterEnabled { get; init; }

    public bool LegacyEnabled { get; init; } = true;

    public RuntimeFractionConfig? ShadowEnabled { get; init; }
}

/// <summary>Envoy's <c>envoy.extensions.filters.http.health_check.v3.HealthCheck</c>.</summary>
public sealed record HealthCheckFilterConfig(bool PassThroughMode) : HttpFilterSettings
{
    /// <summary>All must match for a request to be a health check.</summary>
    public EquatableArray<HeaderMatcherConfig> Headers { get; init; } = EquatableArray<HeaderMatcherConfig>.Empty;

    /// <summary>Accepted for pass-through mode; ActorMesh forwards every health check (no cached answer).</summary>
    public TimeSpan? CacheTime { get; init; }
}

/// <summary>
/// Envoy's <c>envoy.extensions.filters.http.buffer.v3.Buffer</c>, or its per-route <c>BufferPerRoute</c>
/// (<c>disabled: true</c> is <see cref="Disabled"/>).
/// </summary>
public sealed record BufferConfig(long MaxRequestBytes) : HttpFilterSettings
{
    public bool Disabled { get; init; }
}
