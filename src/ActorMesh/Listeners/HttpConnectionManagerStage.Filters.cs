using ActorMesh.Filters;
using ActorMesh.Http;

namespace ActorMesh.Listeners;

public sealed partial class HttpConnectionManagerStage
{
    /// <summary>
    /// The HTTP filter chain between the connection manager and the router (fault, local_ratelimit, cors, …). Each
    /// factory is asked in order for a filter for the request; most have nothing to do and hand out none, so the
    /// common request allocates nothing here. A filter may let the request go on, answer it (a local reply), or hold
    /// it for a while on the stage's timer; filters that took part also see the response headers and the end.
    /// </summary>
    private sealed partial class Logic
    {
        // This request's filters, in chain order; the list is reused by the connection's requests.
        private List<HttpFilter>? _filters;
        private int _nextFilterFactory;
        private HttpFilter? _delayingFilter;

        private HttpFilterContext FilterContext => new(_request!, _route, _info!);

        /// <summary>True when the request goes on to the router now.</summary>
        private bool StartFilterChain()
        {
            _nextFilterFactory = 0;
            return _hcm.Filters.Count == 0 || ContinueFilterChain();
        }

        private bool ContinueFilterChain()
        {
            var factories = _hcm.Filters;
            while (_nextFilterFactory < factories.Count)
            {
                var factory = factories[_nextFilterFactory++];
                var filter = _route?.FilterConfig(factory.Name) is Config.DisabledFilterConfig ? null : factory.CreateFilter(FilterContext);
                if (filter is null)
                {
                    continue;
                }
                (_filters ??= new List<HttpFilter>(factories.Count)).Add(filter);
                if (!Proceed(filter, filter.OnRequestHeaders(FilterContext)))
                {
                    return false;
                }
            }
            return true;
        }

        private bool Proceed(HttpFilter filter, FilterStatus status)
        {
            switch (status.Action)
            {
                case FilterAction.Continue:
                    return true;
                case FilterAction.Delay:
                    // The request body is not pulled meanwhile: it waits in the socket, with backpressure.
                    _delayingFilter = filter;
                    ScheduleOnce(FilterDelayTimer, status.DelayFor);
                    return false;
                default:
                    var reply = status.Reply!;
                    ReplyLocally(reply.Status, reply.Body, reply.Flags, reply.Details, rewrite: !reply.EncodedDirectly);
                    return false;
            }
        }

        private void OnFilterDelayElapsed()
        {
            if (_delayingFilter is not { } filter || !InFlight || _responseHeadSent)
            {
                return;
            }
            _delayingFilter = null;
            if (Proceed(filter, filter.OnDelayElapsed(FilterContext)) && ContinueFilterChain())
            {
                RouteRequest();
            }
        }

        /// <summary>
        /// Lets the filters see the body's progress (the buffer filter's limit); true when one answered instead, which
        /// resets the upstream request if it had started. Once the response has started it is too late to answer.
        /// </summary>
        private bool FilterRejectsBody()
        {
            if (_filters is not { Count: > 0 } filters || _responseHeadSent)
            {
                return false;
            }
            foreach (var filter in filters)
            {
                var status = filter.OnRequestBody(_info!.BytesReceived);
                if (status.Action == FilterAction.LocalReply)
                {
                    ReleaseUpstream(success: false, reusable: false);
                    _shadows = null;
                    Proceed(filter, status);
                    return true;
                }
            }
            return false;
        }

        /// <summary>Envoy runs encoder filters in reverse order; null in, null out when no filter took part.</summary>
        private HttpHeaders? FilterResponseHeaders(HttpHeaders? headers)
        {
            if (_filters is not { Count: > 0 } filters)
            {
                return headers;
            }
            headers ??= new HttpHeaders(4);
            for (var i = filters.Count - 1; i >= 0; i--)
            {
                filters[i].OnResponseHeaders(headers, _info!);
            }
            return headers;
        }

        private void CompleteFilters()
        {
            if (_delayingFilter is not null)
            {
                CancelTimer(FilterDelayTimer);
                _delayingFilter = null;
            }
            if (_filters is not { Count: > 0 } filters)
            {
                return;
            }
            foreach (var filter in filters)
            {
                filter.OnComplete();
            }
            filters.Clear();
        }
    }
}
