namespace ActorMesh.Config;

/// <summary>Envoy's <c>RouteConfiguration</c>.</summary>
public sealed record RouteConfiguration(string Name, EquatableArray<VirtualHostConfig> VirtualHosts)
{
    /// <summary>The outermost level of header manipulation, applied after the virtual host's and the route's.</summary>
    public HeaderMutationConfig Headers { get; init; } = HeaderMutationConfig.None;

    /// <summary>
    /// Envoy's <c>most_specific_header_mutations_wins</c>: false (the default) applies the route's mutations first and
    /// the route configuration's last, so the outermost level wins a conflict; true reverses the order.
    /// </summary>
    public bool MostSpecificHeaderMutationsWins { get; init; }

    /// <summary>Envoy's <c>max_direct_response_body_size_bytes</c> default.</summary>
    public const int DefaultMaxDirectResponseBodyBytes = 4096;
}

/// <summary>Envoy's <c>VirtualHost</c>: <c>domains</c> may be exact, <c>*.suffix</c>, <c>prefix.*</c> or <c>*</c>.</summary>
public sealed record VirtualHostConfig(string Name, EquatableArray<string> Domains, EquatableArray<RouteConfig> Routes)
{
    public HeaderMutationConfig Headers { get; init; } = HeaderMutationConfig.None;

    /// <summary>The retry policy of every route that has none of its own.</summary>
    public RetryPolicyConfig? RetryPolicy { get; init; }

    /// <summary>Envoy's <c>include_request_attempt_count</c>: <c>x-envoy-attempt-count</c> on each try sent upstream.</summary>
    public bool IncludeRequestAttemptCount { get; init; }

    /// <summary>Envoy's <c>include_attempt_count_in_response</c>: <c>x-envoy-attempt-count</c> on the upstream's response.</summary>
    public bool IncludeAttemptCountInResponse { get; init; }

    /// <summary><c>typed_per_filter_config</c> (and the older <c>cors</c> field, as the cors filter's entry).</summary>
    public EquatableArray<PerFilterConfig> PerFilterConfig { get; init; } = EquatableArray<PerFilterConfig>.Empty;
}

/// <summary>
/// Envoy's <c>Route</c>: a match and exactly one action: <c>route</c> (<see cref="Action"/>), <c>redirect</c> or
/// <c>direct_response</c>.
/// </summary>
public sealed record RouteConfig(string? Name, RouteMatchConfig Match, RouteActionConfig? Action)
{
    public RedirectConfig? Redirect { get; init; }

    public DirectResponseConfig? DirectResponse { get; init; }

    public HeaderMutationConfig Headers { get; init; } = HeaderMutationConfig.None;

    /// <summary>
    /// <c>typed_per_filter_config</c> (and the route action's older <c>cors</c> field): overrides the virtual host's
    /// entry for the same filter.
    /// </summary>
    public EquatableArray<PerFilterConfig> PerFilterConfig { get; init; } = EquatableArray<PerFilterConfig>.Empty;
}

public enum PathMatchKind
{
    Prefix,
    Path,
    SafeRegex,
    PathSeparatedPrefix,
}

/// <summary>Envoy's <c>RouteMatch</c>: one path specifier plus every other condition, all of which must hold.</summary>
public sealed record RouteMatchConfig(PathMatchKind Kind, string Value)
{
    /// <summary>Applies to <c>prefix</c>, <c>path</c> and <c>path_separated_prefix</c>, never to <c>safe_regex</c>.</summary>
    public bool CaseSensitive { get; init; } = true;

    public EquatableArray<HeaderMatcherConfig> Headers { get; init; } = EquatableArray<HeaderMatcherConfig>.Empty;

    public EquatableArray<QueryParameterMatcherConfig> QueryParameters { get; init; } = EquatableArray<QueryParameterMatcherConfig>.Empty;

    public RuntimeFractionConfig? RuntimeFraction { get; init; }
}

public enum HeaderMatchKind
{
    String,
    Present,
    Range,
}

/// <summary>
/// Envoy's <c>HeaderMatcher</c>. v2's <c>exact_match</c>, <c>prefix_match</c>, … load as the v3 <c>string_match</c>
/// they stand for.
/// </summary>
public sealed record HeaderMatcherConfig(string Name, HeaderMatchKind Kind)
{
    public StringMatcherConfig? StringMatch { get; init; }

    public bool Present { get; init; } = true;

    /// <summary><c>range_match</c>: start inclusive, end exclusive.</summary>
    public long RangeStart { get; init; }

    public long RangeEnd { get; init; }

    public bool InvertMatch { get; init; }

    public bool TreatMissingHeaderAsEmpty { get; init; }
}

/// <summary>Envoy's <c>QueryParameterMatcher</c>: a <c>string_match</c>, or presence when none is given.</summary>
public sealed record QueryParameterMatcherConfig(string Name, StringMatcherConfig? StringMatch);

/// <summary>Envoy's <c>FractionalPercent</c> denominators.</summary>
public enum FractionDenominator
{
    Hundred = 100,
    TenThousand = 10_000,
    Million = 1_000_000,
}

/// <summary>Envoy's <c>RuntimeFractionalPercent</c>: a runtime key's value, else the default fraction.</summary>
public sealed record RuntimeFractionConfig(long Numerator, FractionDenominator Denominator, string? RuntimeKey);

/// <summary>Envoy's <c>RouteAction</c>: one cluster specifier (<c>cluster</c>, <c>cluster_header</c>, <c>weighted_clusters</c>).</summary>
public sealed record RouteActionConfig(string Cluster)
{
    /// <summary>Envoy's default route <c>timeout</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Time for the whole upstream exchange after the request ends; zero disables it.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Overrides the connection manager's <c>stream_idle_timeout</c> for this route; zero disables it.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Per-route <c>upgrade_configs</c>, which override the connection manager's for the same type.</summary>
    public EquatableArray<UpgradeConfig> UpgradeConfigs { get; init; } = EquatableArray<UpgradeConfig>.Empty;

    /// <summary><c>cluster_header</c>: the request header naming the cluster (when <see cref="Cluster"/> is empty).</summary>
    public string? ClusterHeader { get; init; }

    public WeightedClustersConfig? WeightedClusters { get; init; }

    public string? PrefixRewrite { get; init; }

    public RegexRewriteConfig? RegexRewrite { get; init; }

    /// <summary><c>host_rewrite_literal</c> (v2 <c>host_rewrite</c>).</summary>
    public string? HostRewriteLiteral { get; init; }

    public bool AutoHostRewrite { get; init; }

    public EquatableArray<MirrorPolicyConfig> MirrorPolicies { get; init; } = EquatableArray<MirrorPolicyConfig>.Empty;

    public EquatableArray<HashPolicyConfig> HashPolicies { get; init; } = EquatableArray<HashPolicyConfig>.Empty;

    /// <summary>The route's <c>retry_policy</c>; it replaces the virtual host's whole.</summary>
    public RetryPolicyConfig? RetryPolicy { get; init; }

    /// <summary><c>priority</c>: which of the cluster's circuit breakers and connection pools the route's requests use.</summary>
    public RoutingPriority Priority { get; init; } = RoutingPriority.Default;
}

/// <summary>Envoy's <c>WeightedCluster</c>: a cluster picked per request in proportion to its weight.</summary>
public sealed record WeightedClustersConfig(EquatableArray<WeightedClusterConfig> Clusters, long TotalWeight);

public sealed record WeightedClusterConfig(string Name, long Weight)
{
    public HeaderMutationConfig Headers { get; init; } = HeaderMutationConfig.None;
}

/// <summary>Envoy's <c>RegexMatchAndSubstitute</c>: every match of <see cref="Pattern"/> replaced (RE2's GlobalReplace).</summary>
public sealed record RegexRewriteConfig(string Pattern, string Substitution);

/// <summary>Envoy's <c>RequestMirrorPolicy</c>: <c>cluster</c> or <c>cluster_header</c>, sampled by <c>runtime_fraction</c>.</summary>
public sealed record MirrorPolicyConfig(string? Cluster, string? ClusterHeader, RuntimeFractionConfig? RuntimeFraction);

public enum HashPolicyKind
{
    Header,
    Cookie,
    SourceIp,
    QueryParameter,
}

/// <summary>Envoy's <c>RouteAction.HashPolicy</c>; <see cref="Name"/> is the header, cookie or query parameter name.</summary>
public sealed record HashPolicyConfig(HashPolicyKind Kind, string Name, bool Terminal);

/// <summary>Envoy's <c>RedirectAction</c>; null members keep that part of the request's URL.</summary>
public sealed record RedirectConfig
{
    public string? Scheme { get; init; }

    public string? Host { get; init; }

    public int? Port { get; init; }

    public string? PathRedirect { get; init; }

    public string? PrefixRewrite { get; init; }

    public RegexRewriteConfig? RegexRewrite { get; init; }

    /// <summary>Envoy's default <c>response_code</c>, MOVED_PERMANENTLY.</summary>
    public int ResponseCode { get; init; } = 301;

    public bool StripQuery { get; init; }
}

/// <summary>Envoy's <c>RedirectAction.RedirectResponseCode</c>.</summary>
public enum RedirectResponseCode
{
    MovedPermanently = 301,
    Found = 302,
    SeeOther = 303,
    TemporaryRedirect = 307,
    PermanentRedirect = 308,
}

/// <summary>Envoy's <c>DirectResponseAction</c>: the status and an optional inline body.</summary>
public sealed record DirectResponseConfig(int Status, string? Body);

/// <summary>Envoy's <c>HeaderValueOption.HeaderAppendAction</c>.</summary>
public enum HeaderAppendAction
{
    AppendIfExistsOrAdd,
    AddIfAbsent,
    OverwriteIfExistsOrAdd,
    OverwriteIfExists,
}

/// <summary>One <c>request_headers_to_add</c>/<c>response_headers_to_add</c> entry; the value is an Envoy format string.</summary>
public sealed record HeaderValueOptionConfig(string Key, string Value, HeaderAppendAction AppendAction, bool KeepEmptyValue);

/// <summary>One level's header manipulation: route configuration, virtual host, route or weighted cluster.</summary>
public sealed record HeaderMutationConfig(
    EquatableArray<HeaderValueOptionConfig> RequestHeadersToAdd,
    EquatableArray<string> RequestHeadersToRemove,
    EquatableArray<HeaderValueOptionConfig> ResponseHeadersToAdd,
    EquatableArray<string> ResponseHeadersToRemove)
{
    public static readonly HeaderMutationConfig None = new(
        EquatableArray<HeaderValueOptionConfig>.Empty, EquatableArray<string>.Empty,
        EquatableArray<HeaderValueOptionConfig>.Empty, EquatableArray<string>.Empty);

    public bool IsEmpty => RequestHeadersToAdd.Count == 0 && RequestHeadersToRemove.Count == 0
        && ResponseHeadersToAdd.Count == 0 && ResponseHeadersToRemove.Count == 0;
}
