using System.Diagnostics;
using ActorMesh.Http;
using ActorMesh.Routing;

namespace ActorMesh.Listeners;

public sealed partial class HttpConnectionManagerStage
{
    /// <summary>
    /// Envoy's connection manager timeouts: the connection's <c>idle_timeout</c>, and per request
    /// <c>request_timeout</c>, <c>stream_idle_timeout</c> (or the route's <c>idle_timeout</c>) and the route
    /// <c>timeout</c>. Each is a deadline in a field; one timer is scheduled for the earliest and re-checked when it
    /// fires, so a request on a kept-alive connection normally schedules nothing: moving a deadline later is free.
    /// </summary>
    private sealed partial class Logic
    {
        private static readonly object DelayedCloseTimer = new();
        private static readonly object DeadlineTimer = new();
        private static readonly object DrainGraceTimer = new();
        private static readonly object FilterDelayTimer = new();

        private long _timerAt;
        private long _idleSince;
        private long _lastActivity;
        private long _requestDeadline;
        private long _routeDeadline;
        private long _streamIdleTicks;
        private long _routeTimeoutTicks;

        private static long Ticks(TimeSpan span) => span <= TimeSpan.Zero ? 0 : (long)(span.TotalSeconds * Stopwatch.Frequency);

        protected override void OnTimer(object timerKey)
        {
            if (timerKey == RetryBackOffTimer)
            {
                OnRetryBackOff();
                return;
            }
            if (timerKey == DelayedCloseTimer)
            {
                // Envoy's delayed_close_timeout: the client had its chance to close first.
                _hcm.Stats.DownstreamCxDelayedCloseTimeout.Inc();
                CompleteStage();
                return;
            }
            if (timerKey == FilterDelayTimer)
            {
                OnFilterDelayElapsed();
                return;
            }
            if (timerKey == DrainGraceTimer)
            {
                // A request that arrived in the grace period closes the connection after its response instead.
                if (!InFlight)
                {
                    CompleteStage();
                }
                return;
            }
            _timerAt = 0;
            CheckDeadlines();
        }

        private void WatchIdleConnection()
        {
            _idleSince = Stopwatch.GetTimestamp();
            var idle = Ticks(_hcm.Timeouts.Idle);
            if (idle > 0)
            {
                Arm(_idleSince + idle);
            }
        }

        private void StartStreamTimers()
        {
            var now = Stopwatch.GetTimestamp();
            _lastActivity = now;
            _streamIdleTicks = Ticks(_hcm.Timeouts.StreamIdle);
            _routeDeadline = 0;
            _routeTimeoutTicks = 0;
            var requestTimeout = Ticks(_hcm.Timeouts.Request);
            _requestDeadline = requestTimeout > 0 && !_requestComplete ? now + requestTimeout : 0;
            Arm(_requestDeadline);
            ArmStreamIdle();
        }

        /// <summary>The route's own timeouts; the route timer starts once the request has been received in full.</summary>
        private void OnRouteChosen(RouteEntry route)
        {
            if (route.Action.IdleTimeout is { } idle)
            {
                _streamIdleTicks = Ticks(idle);
            }
            _routeTimeoutTicks = Ticks(route.Action.Timeout);
            if (_requestComplete || _request!.WantsUpgrade)
            {
                StartRouteTimer();
            }
            ArmStreamIdle();
        }

        private void OnRequestComplete()
        {
            _requestDeadline = 0;
            // The route timeout covers every try, back-offs and waits for a connection included.
            if (_route is not null && (_upstream is not null || _retryPending || _pendingLease is not null))
            {
                StartRouteTimer();
            }
            if (_upstream is not null)
            {
                StartTryTimer();
            }
        }

        private void StartRouteTimer()
        {
            if (_routeTimeoutTicks > 0)
            {
                _routeDeadline = Stopwatch.GetTimestamp() + _routeTimeoutTicks;
                Arm(_routeDeadline);
            }
        }

        /// <summary>The response has ended (or the protocol switched): neither the route nor the request timeout applies any more.</summary>
        private void StopRequestTimers()
        {
            _routeDeadline = 0;
            _requestDeadline = 0;
            EndRetries();
        }

        private void TouchStream() => _lastActivity = Stopwatch.GetTimestamp();

        private void ArmStreamIdle()
        {
            if (_streamIdleTicks > 0)
            {
                Arm(_lastActivity + _streamIdleTicks);
            }
        }

        private void Arm(long deadline)
        {
            if (deadline == 0 || (_timerAt != 0 && _timerAt <= deadline))
            {
                return;
            }
            _timerAt = deadline;
            var delay = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            ScheduleOnce(DeadlineTimer, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        }

        private void CheckDeadlines()
        {
            if (_closing)
            {
                return;
            }
            var now = Stopwatch.GetTimestamp();
            if (!InFlight)
            {
                var idle = Ticks(_hcm.Timeouts.Idle);
                if (idle <= 0)
                {
                    return;
                }
                if (now >= _idleSince + idle)
                {
                    _hcm.Stats.DownstreamCxIdleTimeout.Inc();
                    CloseGracefully();
                    return;
                }
                Arm(_idleSince + idle);
                return;
            }
            if (_requestDeadline != 0 && now >= _requestDeadline)
            {
                OnRequestTimeout();
                return;
            }
            if (_routeDeadline != 0 && now >= _routeDeadline)
            {
                OnRouteTimeout();
                return;
            }
            if (_tryDeadline != 0 && now >= _tryDeadline)
            {
                OnPerTryTimeout();
                return;
            }
            if (_streamIdleTicks > 0 && now >= _lastActivity + _streamIdleTicks)
            {
                OnStreamIdleTimeout();
                return;
            }
            Arm(_requestDeadline);
            Arm(_routeDeadline);
            Arm(_tryDeadline);
            ArmStreamIdle();
        }

        /// <summary>Envoy's <c>request_timeout</c>: the whole request did not arrive in time.</summary>
        private void OnRequestTimeout()
        {
            _hcm.Stats.DownstreamRqTimeout.Inc();
            if (_responseHeadSent)
            {
                FailStage(new TimeoutException("request timeout"));
                return;
            }
            ReleaseUpstream(success: false, reusable: false);
            _abandonRequestBody = true;
            ReplyLocally(408, LocalReply.RequestTimeout, ResponseFlags.None, "request_overall_timeout");
        }

        /// <summary>The route <c>timeout</c> (504, <c>UT</c>); after the response has started, a reset.</summary>
        private void OnRouteTimeout()
        {
            _cluster?.Stats.UpstreamRqTimeout.Inc();
            _info!.Flags |= ResponseFlags.UpstreamRequestTimeout;
            _upstream?.Host.ReportLocalOriginFailure();
            ReleaseUpstream(success: false, reusable: false);
            if (_responseHeadSent)
            {
                FailStage(new TimeoutException("upstream request timeout"));
                return;
            }
            ReplyLocally(504, LocalReply.UpstreamRequestTimeout, ResponseFlags.None, "upstream_response_timeout");
        }

        /// <summary>
        /// <c>stream_idle_timeout</c> (<c>SI</c>): 408 while the request is still arriving, 504 once it has, a reset
        /// once the response has started.
        /// </summary>
        private void OnStreamIdleTimeout()
        {
            _hcm.Stats.DownstreamRqIdleTimeout.Inc();
            _info!.Flags |= ResponseFlags.StreamIdleTimeout;
            ReleaseUpstream(success: false, reusable: false);
            if (_responseHeadSent || _tunnelling)
            {
                FailStage(new TimeoutException("stream idle timeout"));
                return;
            }
            _abandonRequestBody |= !_requestComplete;
            ReplyLocally(_requestComplete ? 504 : 408, LocalReply.StreamTimeout, ResponseFlags.None, "stream_idle_timeout");
        }
    }
}
