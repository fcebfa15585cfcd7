using System.Diagnostics;
using System.Globalization;
using ActorMesh.Http;
using ActorMesh.Routing;
using ActorMesh.Upstream;
using Akka.IO;

namespace ActorMesh.Listeners;

public sealed partial class HttpConnectionManagerStage
{
    /// <summary>
    /// Envoy's router retries: the route's <c>retry_policy</c> and the request's <c>x-envoy-*</c> router headers,
    /// the request kept for replay (head, and body up to <c>per_connection_buffer_limit_bytes</c>), each failed try
    /// judged by the <see cref="RetryState"/>, the back-off on the stage's timer, the per-try timeout and a fresh host
    /// for the next try. A request without retries allocates nothing here.
    /// </summary>
    private sealed partial class Logic
    {
        private static readonly object RetryBackOffTimer = new();

        // The request headers Envoy's router consumes: never forwarded, trusted or not.
        private static readonly string[] RouterHeaders =
        [
            "x-envoy-retry-on",
            "x-envoy-retry-grpc-on",
            "x-envoy-max-retries",
            "x-envoy-retriable-status-codes",
            "x-envoy-retriable-header-names",
            "x-envoy-hedge-on-per-try-timeout",
            "x-envoy-upstream-rq-timeout-ms",
            "x-envoy-upstream-rq-per-try-timeout-ms",
            "x-envoy-upstream-rq-timeout-alt-response",
        ];

        private RetryState? _retry;

        // Tries of the current request so far, for x-envoy-attempt-count.
        private int _attempts;
        private HttpHeaders? _retryHeaders;
        private bool _retryPending;
        private ByteString _retryHead = ByteString.Empty;
        private ByteString _retryBody = ByteString.Empty;
        private long _perTryTicks;
        private long _tryDeadline;

        /// <summary>
        /// Envoy's router at <c>decodeHeaders</c>: the router headers are read (when the request may set them) and
        /// removed, the timeouts settled and, when anything can be retried, the request's <see cref="RetryState"/> made.
        /// </summary>
        private void SetUpRetries(RouteEntry route, UpstreamCluster cluster, HttpRequestHead request, UpstreamHost host)
        {
            var policy = route.RetryPolicy;
            _attempts = 1;
            _perTryTicks = policy is null ? 0 : Ticks(policy.PerTryTimeout);
            var headers = request.Headers;
            string? retryOn = null;
            string? maxRetries = null;
            string? statusCodes = null;
            if (headers.HasNameStartingWith("x-envoy-"))
            {
                if (ForwardingHeaders.TrustsEnvoyHeaders(headers, _hcm.Forwarding, _remoteIp))
                {
                    retryOn = headers.Get("x-envoy-retry-on");
                    maxRetries = headers.Get("x-envoy-max-retries");
                    statusCodes = headers.Get("x-envoy-retriable-status-codes");
                    if (MillisecondsHeader(headers, "x-envoy-upstream-rq-timeout-ms") is { } total)
                    {
                        OverrideRouteTimeout(total);
                    }
                    if (MillisecondsHeader(headers, "x-envoy-upstream-rq-per-try-timeout-ms") is { } perTry)
                    {
                        _perTryTicks = perTry;
                    }
                }
                foreach (var name in RouterHeaders)
                {
                    headers.Remove(name);
                }
            }
            // Envoy ignores a per-try timeout that the route timeout would end first anyway.
            if (_routeTimeoutTicks > 0 && _perTryTicks >= _routeTimeoutTicks)
            {
                _perTryTicks = 0;
            }
            if ((policy is null && retryOn is null) || request.WantsUpgrade)
            {
                return;
            }
            _retry = RetryState.Create(policy, retryOn, maxRetries, statusCodes, headers, cluster, route.Action.Priority);
            _retry?.OnHostAttempted(host);
        }

        private static long? MillisecondsHeader(HttpHeaders headers, string name) =>
            headers.Get(name) is { } value && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                ? Ticks(TimeSpan.FromMilliseconds(ms))
                : null;

        /// <summary><c>x-envoy-upstream-rq-timeout-ms</c> replaces the route <c>timeout</c>; 0 disables it.</summary>
        private void OverrideRouteTimeout(long ticks)
        {
            if (_routeDeadline != 0)
            {
                var started = _routeDeadline - _routeTimeoutTicks;
                _routeDeadline = ticks > 0 ? started + ticks : 0;
                Arm(_routeDeadline);
            }
            _routeTimeoutTicks = ticks;
        }

        /// <summary>Envoy's <c>include_request_attempt_count</c>: each try tells the upstream its number.</summary>
        private void AddRequestAttemptCount(HttpHeaders headers)
        {
            if (_route is { IncludeRequestAttemptCount: true })
            {
                headers.Set("x-envoy-attempt-count", _attempts.ToString(CultureInfo.InvariantCulture));
            }
        }

        /// <summary>Keeps the head as first written, so a retry sends the same request.</summary>
        private void RecordForReplay(ByteString head, HttpHeaders headers)
        {
            if (_retry is not null)
            {
                _retryHead = head;
                _retryHeaders = headers;
            }
        }

        /// <summary>
        /// Keeps request body bytes for replay. Past the buffer limit the request can no longer be retried
        /// (<c>retry_or_shadow_abandoned</c>); if a retry was already waiting, Envoy's 507 ends it. False when that
        /// reply was sent.
        /// </summary>
        private bool BufferForRetry(ByteString data)
        {
            if (_retryBody.Count + data.Count <= _hcm.BufferLimitBytes)
            {
                _retryBody = _retryBody.IsEmpty ? data : _retryBody.Concat(data);
                return true;
            }
            _cluster!.RetryStats.RetryOrShadowAbandoned.Inc();
            var waiting = _retryPending || _pendingRetry;
            EndRetries();
            if (!waiting)
            {
                return true;
            }
            ReplyLocally(507, "exceeded request buffer limit while retrying upstream", ResponseFlags.None, "request_payload_exceeded_retry_buffer_limit");
            return false;
        }

        /// <summary>A try ended without a response: true when a retry was scheduled instead of a local reply.</summary>
        private bool RetryOnReset(UpstreamResetReason reason, bool requestStarted) =>
            _retry is { } retry && ScheduleRetry(retry.ShouldRetryReset(reason, requestStarted));

        /// <summary>
        /// A final response arrived: true when it is retried, in which case it is dropped unread and its connection
        /// closed; the host still sees the status (stats, outlier detection).
        /// </summary>
        private bool RetryOnResponse(HttpResponseHead response)
        {
            if (_retry is not { } retry)
            {
                return false;
            }
            var status = retry.ShouldRetryHeaders(response);
            if (status == RetryStatus.Yes && _upstream is { } upstream)
            {
                _upstream = null;
                upstream.Host.Release(upstream, success: false, reusable: false, response.Status);
            }
            return ScheduleRetry(status);
        }

        private bool ScheduleRetry(RetryStatus status)
        {
            switch (status)
            {
                case RetryStatus.Yes:
                    _retryPending = true;
                    _tryDeadline = 0;
                    ScheduleOnce(RetryBackOffTimer, _retry!.NextBackOff());
                    if (!_requestComplete)
                    {
                        PullIfOpen();
                    }
                    return true;
                case RetryStatus.NoOverflow:
                    _info!.Flags |= ResponseFlags.UpstreamOverflow;
                    break;
                case RetryStatus.NoRetryLimitExceeded:
                    _info!.Flags |= ResponseFlags.UpstreamRetryLimitExceeded;
                    break;
            }
            return false;
        }

        /// <summary>The back-off is over: the next try, on a host chosen again, with the request replayed.</summary>
        private void OnRetryBackOff()
        {
            if (!_retryPending || _retry is not { } retry || _responseHeadSent || !InFlight)
            {
                return;
            }
            _retryPending = false;
            var cluster = _cluster!;
            var host = cluster.ChooseHost(in _lbContext);
            for (var i = 0L; host is not null && i < retry.HostSelectionMaxAttempts && retry.ShouldSelectAnotherHost(host); i++)
            {
                host = cluster.ChooseHost(in _lbContext);
            }
            if (host is null)
            {
                cluster.Stats.UpstreamCxNoneHealthy.Inc();
                ReplyLocally(503, LocalReply.NoHealthyUpstream, ResponseFlags.NoHealthyUpstream, "no_healthy_upstream");
                return;
            }
            _info!.UpstreamHost = host.Endpoint;
            var lease = host.TryLease(_route!.Action.Priority, _onPendingReady, out var upstream, out var pending);
            if (lease == LeaseResult.Overflow)
            {
                ReplyLocally(503, LocalReply.Overflow, ResponseFlags.UpstreamOverflow, "upstream_reset_before_response_started{overflow}");
                return;
            }
            retry.OnHostAttempted(host);
            if (lease == LeaseResult.Pending)
            {
                WaitForConnection(pending!, retry: true);
                return;
            }
            BeginRetry(upstream!);
        }

        /// <summary>The next try on its connection: the request as sent so far, replayed.</summary>
        private void BeginRetry(UpstreamConnection upstream)
        {
            _attempts++;
            if (_route!.IncludeRequestAttemptCount && _retryHeaders is { } headers)
            {
                AddRequestAttemptCount(headers);
                _retryHead = Http1Writer.RequestHead(_request!.Method, _request.Target, headers);
            }
            // Callbacks still on their way from the failed try's connection must not reach this one.
            _generation++;
            var chunked = _request!.Framing == BodyFraming.Chunked;
            var bytes = _retryHead;
            if (!_retryBody.IsEmpty)
            {
                bytes = bytes.Concat(chunked ? Http1Writer.Chunk(_retryBody) : _retryBody);
            }
            if (_requestComplete && chunked)
            {
                bytes = bytes.Concat(Http1Writer.LastChunk);
            }
            BeginTry(upstream, bytes);
            if (!_requestComplete)
            {
                PullIfOpen();
            }
        }

        /// <summary>The per-try timer runs from when a try has the whole request.</summary>
        private void StartTryTimer()
        {
            if (_perTryTicks > 0 && _requestComplete)
            {
                _tryDeadline = Stopwatch.GetTimestamp() + _perTryTicks;
                Arm(_tryDeadline);
            }
        }

        /// <summary>
        /// Envoy's <c>onPerTryTimeout</c>: the try is reset (<c>upstream_rq_per_try_timeout</c>, a local-origin
        /// failure for outlier detection) and retried as a reset would be; else 504 <c>UT</c>.
        /// </summary>
        private void OnPerTryTimeout()
        {
            _tryDeadline = 0;
            _cluster?.RetryStats.UpstreamRqPerTryTimeout.Inc();
            _upstream?.Host.ReportLocalOriginFailure();
            ReleaseUpstream(success: false, reusable: false);
            if (RetryOnReset(UpstreamResetReason.LocalReset, requestStarted: true))
            {
                return;
            }
            _info!.Flags |= ResponseFlags.UpstreamRequestTimeout;
            ReplyLocally(504, LocalReply.UpstreamRequestTimeout, ResponseFlags.None, "upstream_per_try_timeout");
        }

        /// <summary>
        /// No more tries for this request (the response started, or it is over): the circuit breaker's retry goes
        /// back, a waiting back-off is cancelled and the replay buffer is dropped.
        /// </summary>
        private void EndRetries()
        {
            _tryDeadline = 0;
            _perTryTicks = 0;
            if (_retry is null)
            {
                return;
            }
            _retry.Reset();
            _retry = null;
            if (_retryPending)
            {
                _retryPending = false;
                CancelTimer(RetryBackOffTimer);
            }
            _retryHead = ByteString.Empty;
            _retryBody = ByteString.Empty;
            _retryHeaders = null;
        }
    }
}
