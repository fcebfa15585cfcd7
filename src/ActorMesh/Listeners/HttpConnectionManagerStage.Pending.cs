using ActorMesh.Http;
using ActorMesh.Routing;
using ActorMesh.Upstream;

namespace ActorMesh.Listeners;

public sealed partial class HttpConnectionManagerStage
{
    /// <summary>
    /// A request waiting in its host's pool for a connection (Envoy's pending stream), because the route priority's
    /// <c>max_connections</c> is reached. The pool tells the stage through an async callback when a connection (or a
    /// failure) is there. The route timeout keeps running meanwhile, as Envoy's does; the request body stays with the
    /// client; any local reply, and the stage stopping, cancel the wait, and a connection handed over just then goes
    /// back to the pool.
    /// </summary>
    private sealed partial class Logic
    {
        private Action<PendingRequest> _onPendingReady = null!;
        private PendingRequest? _pendingLease;

        // The waiting request is a retry, which replays what was sent so far once its connection comes.
        private bool _pendingRetry;

        private void WaitForConnection(PendingRequest pending, bool retry)
        {
            _pendingLease = pending;
            _pendingRetry = retry;
        }

        private void OnPendingReady(PendingRequest pending)
        {
            if (!ReferenceEquals(pending, _pendingLease))
            {
                // Cancelled since: Cancel gave back whatever it held.
                return;
            }
            _pendingLease = null;
            var retry = _pendingRetry;
            _pendingRetry = false;
            var outcome = pending.Take(out var upstream);
            switch (outcome)
            {
                case PendingOutcome.Ready when retry:
                    BeginRetry(upstream!);
                    break;
                case PendingOutcome.Ready:
                    StartUpstream(upstream!, _request!);
                    break;
                case PendingOutcome.Overflow:
                    ReplyLocally(503, LocalReply.Overflow, ResponseFlags.UpstreamOverflow, "upstream_reset_before_response_started{overflow}");
                    break;
                case PendingOutcome.ConnectionFailure:
                case PendingOutcome.HostRemoved:
                    OnPendingFailed(pending.Host, outcome);
                    break;
            }
        }

        /// <summary>
        /// The pool gave up on the request: a connection to the host failed (Envoy purges the pool's pending requests
        /// and reports each to outlier detection), or the host left the cluster. Either is a connect failure to the
        /// router: retried as one, else 503 <c>UF</c>.
        /// </summary>
        private void OnPendingFailed(UpstreamHost host, PendingOutcome outcome)
        {
            if (outcome == PendingOutcome.ConnectionFailure)
            {
                host.ReportLocalOriginFailure();
            }
            if (RetryOnReset(UpstreamResetReason.ConnectionFailure, requestStarted: false))
            {
                return;
            }
            ReplyLocally(503, LocalReply.ConnectFailure, ResponseFlags.UpstreamConnectionFailure, "upstream_reset_before_response_started{connection_failure}");
        }

        private void CancelPendingLease()
        {
            if (_pendingLease is not { } pending)
            {
                return;
            }
            _pendingLease = null;
            _pendingRetry = false;
            pending.Cancel();
        }
    }
}
