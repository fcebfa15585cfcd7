using System.Globalization;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Upstream;

namespace ActorMesh.Routing;

/// <summary>Envoy's <c>RetryStatus</c>: what the retry state decided about a failed try.</summary>
public enum RetryStatus
{
    No,
    Yes,
    /// <summary>The cluster's <c>max_retries</c> circuit breaker is full (<c>upstream_rq_retry_overflow</c>, flag <c>UO</c>).</summary>
    NoOverflow,
    /// <summary>The request used up its retries (<c>upstream_rq_retry_limit_exceeded</c>, flag <c>URX</c>).</summary>
    NoRetryLimitExceeded,
}

/// <summary>Why a try ended without a response (Envoy's <c>StreamResetReason</c>, the ones our codecs can give).</summary>
public enum UpstreamResetReason
{
    /// <summary>The connection could not be opened (<c>UF</c>).</summary>
    ConnectionFailure,
    /// <summary>The upstream closed or reset the connection before a response (<c>UC</c>).</summary>
    ConnectionTermination,
    /// <summary>The proxy gave up on the try: its per-try timeout.</summary>
    LocalReset,
    /// <summary>The upstream's response could not be parsed (<c>UPE</c>).</summary>
    ProtocolError,
    /// <summary>An HTTP/2 upstream reset the stream (RST_STREAM) (<c>UR</c>).</summary>
    RemoteReset,
    /// <summary>An HTTP/2 upstream refused the stream unprocessed: REFUSED_STREAM, or GOAWAY below its id (<c>UR</c>).</summary>
    RemoteRefusedStreamReset,
}

/// <summary>
/// One request's retries (Envoy's <c>RetryStateImpl</c>): the conditions from the route's policy and the request's
/// <c>x-envoy-*</c> headers, the retries left, the jittered exponential back-off and the hosts already tried. Created
/// only for a request that may be retried; owned by its connection's stage, so nothing here is shared.
/// </summary>
public sealed class RetryState
{
    private readonly RetryPolicy _policy;
    private readonly CircuitBreaker _breaker;
    private readonly UpstreamRetryStats _stats;
    private readonly RetryOn _retryOn;
    private readonly int[] _statusCodes;
    private uint _remaining;
    private long _nextIntervalMs;

    // Holds one of the cluster's max_retries from the decision to retry until the retried try has an outcome.
    private bool _armed;
    private List<UpstreamHost>? _attempted;

    private RetryState(RetryPolicy policy, RetryOn retryOn, uint numRetries, int[] statusCodes, UpstreamCluster cluster, RoutingPriority priority)
    {
        _policy = policy;
        _retryOn = retryOn;
        _remaining = numRetries;
        _statusCodes = statusCodes;
        _breaker = cluster.Breaker(priority);
        _stats = cluster.RetryStats;
        _nextIntervalMs = policy.BaseIntervalMs;
    }

    /// <summary>
    /// Envoy's <c>RetryStateImpl::create</c>: null when nothing can be retried, so a request without retries
    /// allocates nothing. The header values are the request's <c>x-envoy-retry-on</c>, <c>x-envoy-max-retries</c>
    /// and <c>x-envoy-retriable-status-codes</c> (null when absent or not trusted). Retries count against the
    /// <c>max_retries</c> of the route's <paramref name="priority"/>.
    /// </summary>
    public static RetryState? Create(RetryPolicy? policy, string? retryOnHeader, string? maxRetriesHeader, string? statusCodesHeader, HttpHeaders request, UpstreamCluster cluster, RoutingPriority priority = RoutingPriority.Default)
    {
        if (policy is null && retryOnHeader is null)
        {
            return null;
        }
        policy ??= RetryPolicy.HeaderOnly;
        var retryOn = policy.RetryOn;
        if (retryOnHeader is not null)
        {
            // Unknown values in the header are ignored, as Envoy does.
            retryOn |= RetryOnParser.Parse(retryOnHeader, out _);
        }
        if (policy.RetriableRequestHeaders.Length > 0 && !policy.RetriableRequestHeaders.Any(m => m.Matches(request)))
        {
            retryOn = RetryOn.None;
        }
        if (retryOn == RetryOn.None)
        {
            return null;
        }
        var numRetries = policy.NumRetries;
        if (maxRetriesHeader is not null && uint.TryParse(maxRetriesHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var max))
        {
            numRetries = max;
        }
        var codes = policy.StatusCodes;
        if (statusCodesHeader is not null)
        {
            codes = [.. codes, .. ParseCodes(statusCodesHeader)];
        }
        return new RetryState(policy, retryOn, numRetries, codes, cluster, priority);
    }

    private static IEnumerable<int> ParseCodes(string list)
    {
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                yield return code;
            }
        }
    }

    /// <summary>Envoy's <c>shouldRetryHeaders</c> for a final (non-1xx) upstream response.</summary>
    public RetryStatus ShouldRetryHeaders(HttpResponseHead response) => ShouldRetry(WouldRetryFromHeaders(response));

    /// <summary>Envoy's <c>shouldRetryReset</c>; <paramref name="requestStarted"/>: bytes reached the upstream.</summary>
    public RetryStatus ShouldRetryReset(UpstreamResetReason reason, bool requestStarted) => ShouldRetry(WouldRetryFromReset(reason, requestStarted));

    /// <summary>
    /// Envoy's fully jittered exponential back-off (<c>JitteredExponentialBackOffStrategy</c>): a random wait below
    /// the current interval, which doubles per retry up to <c>max_interval</c>.
    /// </summary>
    public TimeSpan NextBackOff()
    {
        var interval = _nextIntervalMs;
        _nextIntervalMs = interval < _policy.MaxIntervalMs / 2 ? interval * 2 : _policy.MaxIntervalMs;
        _stats.UpstreamRqRetryBackoffExponential.Inc();
        return TimeSpan.FromMilliseconds(Math.Min(Random.Shared.NextInt64(interval), _policy.MaxIntervalMs));
    }

    /// <summary>Records a host that got a try, for <c>envoy.retry_host_predicates.previous_hosts</c>.</summary>
    public void OnHostAttempted(UpstreamHost host)
    {
        if (_policy.Config.AvoidPreviousHosts)
        {
            (_attempted ??= new List<UpstreamHost>(2)).Add(host);
        }
    }

    /// <summary>Envoy's <c>shouldSelectAnotherHost</c>: with <c>previous_hosts</c>, a host already tried.</summary>
    public bool ShouldSelectAnotherHost(UpstreamHost host) => _attempted?.Contains(host) ?? false;

    public long HostSelectionMaxAttempts => _policy.Config.HostSelectionRetryMaxAttempts;

    /// <summary>Envoy's <c>resetRetry</c>: gives back the circuit breaker's retry once the retried try is over.</summary>
    public void Reset()
    {
        if (_armed)
        {
            _armed = false;
            _breaker.ReleaseRetry();
        }
    }

    private RetryStatus ShouldRetry(bool wouldRetry)
    {
        // An armed retry whose try needs no retry: that retry succeeded.
        if (_armed && !wouldRetry)
        {
            _stats.UpstreamRqRetrySuccess.Inc();
        }
        Reset();
        if (!wouldRetry)
        {
            return RetryStatus.No;
        }
        if (_remaining == 0)
        {
            _stats.UpstreamRqRetryLimitExceeded.Inc();
            return RetryStatus.NoRetryLimitExceeded;
        }
        _remaining--;
        if (!_breaker.TryAcquireRetry())
        {
            return RetryStatus.NoOverflow;
        }
        _armed = true;
        _stats.UpstreamRqRetry.Inc();
        return RetryStatus.Yes;
    }

    private bool WouldRetryFromHeaders(HttpResponseHead response)
    {
        // x-envoy-ratelimited comes from an upstream Envoy: retried only under envoy-ratelimited.
        if (response.Headers.Get("x-envoy-ratelimited") is not null)
        {
            return (_retryOn & RetryOn.EnvoyRateLimited) != 0;
        }
        var status = response.Status;
        if ((_retryOn & RetryOn.FiveXx) != 0 && status is >= 500 and < 600)
        {
            return true;
        }
        if ((_retryOn & RetryOn.GatewayError) != 0 && status is 502 or 503 or 504)
        {
            return true;
        }
        if ((_retryOn & RetryOn.Retriable4xx) != 0 && status == 409)
        {
            return true;
        }
        if ((_retryOn & RetryOn.RetriableStatusCodes) != 0 && Array.IndexOf(_statusCodes, status) >= 0)
        {
            return true;
        }
        if ((_retryOn & RetryOn.RetriableHeaders) != 0)
        {
            foreach (var matcher in _policy.RetriableHeaders)
            {
                if (matcher.Matches(response.Headers))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private bool WouldRetryFromReset(UpstreamResetReason reason, bool requestStarted)
    {
        if (reason == UpstreamResetReason.ConnectionFailure && (_retryOn & RetryOn.ConnectFailure) != 0)
        {
            return true;
        }
        if (reason == UpstreamResetReason.RemoteRefusedStreamReset && (_retryOn & RetryOn.RefusedStream) != 0)
        {
            return true;
        }
        if ((_retryOn & RetryOn.ResetBeforeRequest) != 0 && !requestStarted)
        {
            return true;
        }
        // Envoy counts any reset as a 5xx (it results in one), so 5xx and gateway-error retry them too.
        return (_retryOn & (RetryOn.Reset | RetryOn.FiveXx | RetryOn.GatewayError)) != 0;
    }
}
