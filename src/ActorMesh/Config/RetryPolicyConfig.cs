namespace ActorMesh.Config;

/// <summary>Envoy's <c>retry_on</c> conditions (<c>x-envoy-retry-on</c> values), as <c>RetryPolicy::RETRY_ON_*</c> bits.</summary>
[Flags]
public enum RetryOn
{
    None = 0,
    FiveXx = 1 << 0,
    GatewayError = 1 << 1,
    ConnectFailure = 1 << 2,
    Retriable4xx = 1 << 3,
    RefusedStream = 1 << 4,
    RetriableStatusCodes = 1 << 5,
    RetriableHeaders = 1 << 6,
    Reset = 1 << 7,
    ResetBeforeRequest = 1 << 8,
    EnvoyRateLimited = 1 << 9,
}

/// <summary>
/// Envoy's route (or virtual host) <c>RetryPolicy</c>. A route's policy replaces its virtual host's whole, as in Envoy.
/// </summary>
public sealed record RetryPolicyConfig(RetryOn RetryOn)
{
    /// <summary>Envoy's default <c>num_retries</c>.</summary>
    public const uint DefaultNumRetries = 1;

    /// <summary>Envoy's default <c>retry_back_off.base_interval</c> (runtime <c>upstream.base_retry_backoff_ms</c>).</summary>
    public static readonly TimeSpan DefaultBaseInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>Envoy caps <c>max_interval</c> at ten times the base interval unless set.</summary>
    public const int DefaultMaxIntervalFactor = 10;

    public uint NumRetries { get; init; } = DefaultNumRetries;

    /// <summary>Each try's own deadline; zero: none (the route <c>timeout</c> still covers every try).</summary>
    public TimeSpan PerTryTimeout { get; init; }

    public TimeSpan BaseInterval { get; init; } = DefaultBaseInterval;

    /// <summary>Null: ten times <see cref="BaseInterval"/>.</summary>
    public TimeSpan? MaxInterval { get; init; }

    public EquatableArray<int> RetriableStatusCodes { get; init; } = EquatableArray<int>.Empty;

    /// <summary><c>retriable_headers</c>: a response matching any of them is retried (with <c>retriable-headers</c>).</summary>
    public EquatableArray<HeaderMatcherConfig> RetriableHeaders { get; init; } = EquatableArray<HeaderMatcherConfig>.Empty;

    /// <summary><c>retriable_request_headers</c>: when set, only a request matching one of them is retried.</summary>
    public EquatableArray<HeaderMatcherConfig> RetriableRequestHeaders { get; init; } = EquatableArray<HeaderMatcherConfig>.Empty;

    /// <summary><c>retry_host_predicate</c> <c>envoy.retry_host_predicates.previous_hosts</c>: a retry avoids hosts already tried.</summary>
    public bool AvoidPreviousHosts { get; init; }

    /// <summary>Envoy's default <c>host_selection_retry_max_attempts</c>: how often the balancer may pick again.</summary>
    public long HostSelectionRetryMaxAttempts { get; init; } = 1;
}
