using System.Net;
using HttpVersion = ActorMesh.Http.HttpVersion;
using ActorMesh.Http;
using ActorMesh.Routing;
using ActorMesh.Upstream;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace ActorMesh.Listeners;

/// <summary>
/// The HTTP connection manager of one downstream connection: request parts in, response bytes out. For each request
/// it routes, picks a host, leases a pooled upstream connection and streams both bodies with backpressure; one
/// request is in flight at a time, so pipelined requests are answered in order. Its parts: this file (the exchange
/// and the connection's lifecycle), <c>.Filters.cs</c> (the HTTP filter chain before the router), <c>.Upstream.cs</c>
/// (talking to the upstream), <c>.Pending.cs</c> (waiting in a host's pool for a connection), <c>.Timeouts.cs</c>
/// (Envoy's timeouts), <c>.Retry.cs</c> (the router's retries) and <c>.Upgrade.cs</c> (protocol upgrades such as
/// WebSocket).
/// </summary>
public sealed partial class HttpConnectionManagerStage : GraphStageWithMaterializedValue<FlowShape<RequestPart, ByteString>, IConnectionControl>
{
    private readonly HttpConnectionManager _hcm;
    private readonly DownstreamAddresses? _addresses;

    public HttpConnectionManagerStage(HttpConnectionManager hcm, DownstreamAddresses? addresses = null)
    {
        _hcm = hcm;
        _addresses = addresses;
        Shape = new FlowShape<RequestPart, ByteString>(In, Out);
    }

    public Inlet<RequestPart> In { get; } = new("HttpConnectionManager.in");

    public Outlet<ByteString> Out { get; } = new("HttpConnectionManager.out");

    public override FlowShape<RequestPart, ByteString> Shape { get; }

    public override ILogicAndMaterializedValue<IConnectionControl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var control = new ConnectionControl();
        return new LogicAndMaterializedValue<IConnectionControl>(new Logic(this, control), control);
    }

    private sealed class ConnectionControl : IConnectionControl
    {
        private volatile Action? _drain;
        private volatile bool _requested;
        private long _idleGraceTicks;

        public bool Requested => _requested;

        public TimeSpan IdleGrace => TimeSpan.FromTicks(Interlocked.Read(ref _idleGraceTicks));

        public void Attach(Action drain) => _drain = drain;

        public void Drain() => Drain(TimeSpan.Zero);

        public void Drain(TimeSpan idleGrace)
        {
            Interlocked.Exchange(ref _idleGraceTicks, idleGrace.Ticks);
            _requested = true;
            _drain?.Invoke();
        }
    }

    private sealed partial class Logic : TimerGraphStageLogic, IInHandler, IOutHandler
    {
        private readonly HttpConnectionManagerStage _stage;
        private readonly HttpConnectionManager _hcm;
        private readonly ConnectionControl _control;
        private readonly IPAddress? _remoteIp;

        private int _generation;
        private HttpRequestHead? _request;
        private StreamInfo? _info;
        private RouteEntry? _route;
        private bool _requestComplete;
        private bool _responseDone;
        private int _status;
        private bool _discardingBody;

        // The rest of the request will never be read (a refused upgrade, an unanswered Expect, a timeout): the
        // connection cannot carry another request and closes after the response.
        private bool _abandonRequestBody;
        private bool _continueSent;
        private bool _closeAfterResponse;

        // The next request's head (or parse error), read ahead while this request's response is awaited: keeping a
        // read posted on the socket is how a client that goes away is noticed and its upstream request abandoned.
        private RequestPart? _readAhead;
        private bool _draining;
        private bool _closing;
        private long _openedAt;

        public Logic(HttpConnectionManagerStage stage, ConnectionControl control) : base(stage.Shape)
        {
            _stage = stage;
            _hcm = stage._hcm;
            _control = control;
            _remoteIp = (stage._addresses?.Remote as IPEndPoint)?.Address;
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        private bool InFlight => _request is not null;

        public override void PreStart()
        {
            _onWritten = GetAsyncCallback<(int Generation, Task Write)>(OnUpstreamWritten);
            _onRead = GetAsyncCallback<(int Generation, Task<Akka.Util.Option<ByteString>> Read)>(OnUpstreamRead);
            _onPendingReady = GetAsyncCallback<PendingRequest>(OnPendingReady);
            var drain = GetAsyncCallback(StartDraining);
            _control.Attach(drain);
            _hcm.Stats.DownstreamCxTotal.Inc();
            _hcm.Stats.DownstreamCxActive.Inc();
            _openedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            if (_control.Requested)
            {
                StartDraining();
            }
            WatchIdleConnection();
            Pull(_stage.In);
        }

        public override void PostStop()
        {
            _hcm.Stats.DownstreamCxActive.Dec();
            _hcm.Stats.DownstreamCxLengthMs.RecordElapsedMs(_openedAt);
            if (_tunnelling)
            {
                _hcm.Stats.DownstreamCxUpgradesActive.Dec();
            }
            if (_upstream is not null)
            {
                _upstream.Host.Release(_upstream, success: false, reusable: false);
                _upstream = null;
            }
            CancelPendingLease();
            EndRetries();
            if (InFlight)
            {
                _hcm.Stats.DownstreamRqActive.Dec();
                if (!_responseDone && !_tunnelling)
                {
                    _info!.Flags |= ResponseFlags.DownstreamConnectionTermination;
                }
                LogStream();
            }
        }

        public void OnPull()
        {
        }

        public void OnPush()
        {
            var part = Grab(_stage.In);
            if (_closing)
            {
                PullIfOpen();
                return;
            }
            if (InFlight && _requestComplete && !_discardingBody && part is RequestPart.Head or RequestPart.Malformed)
            {
                _readAhead = part;
                return;
            }
            Dispatch(part);
        }

        private void Dispatch(RequestPart part)
        {
            switch (part)
            {
                case RequestPart.Head head:
                    StartRequest(head.Request);
                    break;
                case RequestPart.Body body:
                    OnRequestBody(body.Data);
                    break;
                case RequestPart.End:
                    OnRequestEnd();
                    break;
                case RequestPart.Malformed malformed:
                    OnMalformed(malformed.Error);
                    break;
            }
        }

        public void OnUpstreamFinish()
        {
            if (_tunnelling)
            {
                // The client ended the tunnel: the upgraded exchange is over.
                FinishTunnel();
                return;
            }
            // The client half-closed: a complete request still gets its response; a partial one is abandoned.
            if (_closing || !InFlight || !_requestComplete)
            {
                CompleteStage();
            }
            else
            {
                _closeAfterResponse = true;
            }
        }

        public void OnDownstreamFinish(Exception cause) => CompleteStage();

        public void OnUpstreamFailure(Exception e) => FailStage(e);

        private void StartDraining()
        {
            _draining = true;
            _closeAfterResponse = true;
            if (!InFlight)
            {
                if (_control.IdleGrace == Timeout.InfiniteTimeSpan)
                {
                    // Stays open: its next request is answered with connection: close, or idle_timeout ends it.
                }
                else if (_control.IdleGrace > TimeSpan.Zero)
                {
                    ScheduleOnce(DrainGraceTimer, _control.IdleGrace);
                }
                else
                {
                    CompleteStage();
                }
            }
        }

        private void StartRequest(HttpRequestHead request)
        {
            _generation++;
            _request = request;
            _info = NewStreamInfo(request);
            _route = null;
            _cluster = null;
            _weightedCluster = null;
            _lbContext = LoadBalancerContext.None;
            _shadows = null;
            _requestComplete = request.Framing == BodyFraming.None && !request.WantsUpgrade;
            _responseDone = false;
            _responseHeadSent = false;
            _discardingBody = false;
            _abandonRequestBody = false;
            _continueSent = false;
            _closeAfterResponse |= !request.KeepAlive;
            _hcm.Stats.DownstreamRqTotal.Inc();
            _hcm.Stats.DownstreamRqActive.Inc();
            StartStreamTimers();

            if (!ApplyUnderscorePolicy(request.Headers))
            {
                _closeAfterResponse = true;
                ReplyLocally(400, string.Empty, ResponseFlags.None, "http1.unexpected_underscore");
                return;
            }
            _route = _hcm.Routes.Match(request, _hcm.Runtime);
            _info.RouteName = _route?.Name;
            if (!StartFilterChain())
            {
                // A filter answered the request, or holds it until its delay ends (OnFilterDelayElapsed).
                return;
            }
            RouteRequest();
        }

        /// <summary>The router's part, once the filter chain lets the request through: the route's action, then upstream.</summary>
        private void RouteRequest()
        {
            var request = _request!;
            if (_route is not { } route)
            {
                _hcm.Stats.NoRoute.Inc();
                ReplyLocally(404, string.Empty, ResponseFlags.NoRouteFound, "route_not_found");
                return;
            }
            if (route.DirectResponse is { } direct)
            {
                ReplyDirect(route, direct);
                return;
            }
            if (route.Redirect is { } redirect)
            {
                ReplyRedirect(route, redirect, request);
                return;
            }
            OnRouteChosen(route);
            if (request.WantsUpgrade && !AcceptUpgrade(request, route))
            {
                return;
            }
            if (route.ChooseCluster(request.Headers, out _weightedCluster) is not { } clusterName
                || !_hcm.Clusters.TryGetValue(clusterName, out var cluster))
            {
                // Envoy's cluster_not_found_response_code default, SERVICE_UNAVAILABLE, with an empty body.
                _hcm.Stats.NoCluster.Inc();
                ReplyLocally(503, string.Empty, ResponseFlags.NoClusterFound, "cluster_not_found");
                return;
            }
            _cluster = cluster;
            _info!.UpstreamCluster = cluster.Name;
            _lbContext = route.HashPolicy.IsEmpty ? LoadBalancerContext.None : new LoadBalancerContext(route.HashPolicy.Compute(request, _remoteIp));
            var host = cluster.ChooseHost(in _lbContext);
            if (host is null)
            {
                cluster.Stats.UpstreamCxNoneHealthy.Inc();
                ReplyLocally(503, LocalReply.NoHealthyUpstream, ResponseFlags.NoHealthyUpstream, "no_healthy_upstream");
                return;
            }
            _info.UpstreamHost = host.Endpoint;
            var lease = host.TryLease(route.Action.Priority, _onPendingReady, out var upstream, out var pending);
            if (lease == LeaseResult.Overflow)
            {
                ReplyLocally(503, LocalReply.Overflow, ResponseFlags.UpstreamOverflow, "upstream_reset_before_response_started{overflow}");
                return;
            }
            SetUpRetries(route, cluster, request, host);
            request = RewriteRequest(request, route, host);
            SendContinueIfOwed(request);
            if (lease == LeaseResult.Pending)
            {
                WaitForConnection(pending!, retry: false);
            }
            else
            {
                StartUpstream(upstream!, request);
            }
            PrepareShadows(route, request);
            if (_requestComplete)
            {
                PullIfOpen();
            }
        }

        private StreamInfo NewStreamInfo(HttpRequestHead? request) => new()
        {
            StartTime = DateTimeOffset.UtcNow,
            StartTimestamp = System.Diagnostics.Stopwatch.GetTimestamp(),
            DownstreamRemoteAddress = _stage._addresses?.Remote,
            DownstreamLocalAddress = _stage._addresses?.Local,
            Request = request,
        };

        /// <summary>Envoy's <c>headers_with_underscores_action</c>; false when the request must be rejected.</summary>
        private bool ApplyUnderscorePolicy(HttpHeaders headers)
        {
            var action = _hcm.Config.Limits.HeadersWithUnderscores;
            if (action == Config.HeadersWithUnderscoresAction.Allow || !headers.HasNameContaining('_'))
            {
                return true;
            }
            if (action == Config.HeadersWithUnderscoresAction.RejectRequest)
            {
                _hcm.Stats.DownstreamRqRejectedWithUnderscores.Inc();
                return false;
            }
            _hcm.Stats.DownstreamDroppedHeadersWithUnderscores.Add(headers.RemoveNamesContaining('_'));
            return true;
        }

        /// <summary>
        /// RFC 9110 §10.1.1 for a proxy: an HTTP/1.0 client's Expect is ignored; otherwise, unless the config proxies
        /// the upstream's 100 (<c>proxy_100_continue</c>), the proxy answers 100 itself as soon as it will forward the
        /// request, and the upstream never sees the Expect.
        /// </summary>
        private void SendContinueIfOwed(HttpRequestHead request)
        {
            if (!ExpectsContinue(request))
            {
                return;
            }
            if (request.Version == HttpVersion.Http10 || !_hcm.Forwarding.Proxy100Continue)
            {
                request.Headers.Remove("expect");
            }
            if (request.Version == HttpVersion.Http11 && !_hcm.Forwarding.Proxy100Continue && !_requestComplete)
            {
                _continueSent = true;
                Emit(_stage.Out, LocalReply.Continue);
            }
        }

        private static bool ExpectsContinue(HttpRequestHead request) =>
            request.Headers.Get("expect") is { } expect && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase);

        private void OnRequestBody(ByteString data)
        {
            _info!.BytesReceived += data.Count;
            TouchStream();
            if (_tunnelling)
            {
                WriteUpstream(data);
                return;
            }
            if (!_discardingBody && FilterRejectsBody())
            {
                return;
            }
            // Even once the primary has answered, the shadow still gets the whole body.
            BufferShadowBody(data);
            if (_retry is not null && !BufferForRetry(data))
            {
                return;
            }
            if (_discardingBody || _upstream is null)
            {
                // While the request waits for a connection the body stays with the client: the try that starts pulls
                // it on. During a retry's back-off it is read on into the retry buffer, as Envoy does, so a body that
                // outgrows the buffer ends the wait with 507 instead of stalling until the back-off is over.
                if (_pendingLease is null)
                {
                    PullIfOpen();
                }
                return;
            }
            WriteUpstream(_request!.Framing == BodyFraming.Chunked ? Http1Writer.Chunk(data) : data);
        }

        private void OnRequestEnd()
        {
            if (!InFlight || _requestComplete)
            {
                PullIfOpen();
                return;
            }
            _requestComplete = true;
            OnRequestComplete();
            SendShadows();
            if (_discardingBody || _responseDone)
            {
                TryFinish();
            }
            else if (_upstream is not null && _request!.Framing == BodyFraming.Chunked)
            {
                WriteUpstream(Http1Writer.LastChunk);
                PullIfOpen();
            }
            else
            {
                PullIfOpen();
            }
        }

        private void OnMalformed(HttpParseError error)
        {
            if (error.IsTimeout)
            {
                _hcm.Stats.DownstreamRqHeaderTimeout.Inc();
            }
            else
            {
                _hcm.Stats.DownstreamCxProtocolError.Inc();
            }
            if (InFlight && (_responseHeadSent || _responseDone))
            {
                // The answer to this request is already on its way: all that is left is to reset the connection.
                _info!.Flags |= ResponseFlags.DownstreamProtocolError;
                FailStage(new IOException("malformed request body: " + error.Details));
                return;
            }
            ReleaseUpstream(success: false, reusable: false);
            CancelPendingLease();
            EndRetries();
            if (!InFlight)
            {
                // The request never got as far as a head: it still counts, and is logged, as Envoy's does.
                _hcm.Stats.DownstreamRqTotal.Inc();
                _hcm.Stats.DownstreamRqActive.Inc();
                _info = NewStreamInfo(null);
            }
            _info!.Flags |= error.IsTimeout ? ResponseFlags.None : ResponseFlags.DownstreamProtocolError;
            _info.ResponseCodeDetails = error.IsTimeout ? "request_header_timeout" : "http1.codec_error";
            var version = _request?.Version ?? HttpVersion.Http11;
            var reply = _hcm.LocalReply.Rewrite(_info, error.Status, error.IsTimeout ? error.Details : Http1Writer.ReasonPhrase(error.Status), RouteLocalReplyHeaders(null));
            _status = reply.Status;
            Emit(_stage.Out, LocalReply.Build(version, reply.Status, reply.Body, close: true, _hcm.LocalReplyServerName, reply.ContentType, reply.Headers), () =>
            {
                _responseDone = true;
                EndStream();
                _request = null;
                CompleteStage();
            });
        }

        /// <summary>
        /// Envoy's <c>sendLocalReply</c>: once a route was chosen its response header mutations come first (Envoy's
        /// filter manager finalizes the route's response headers on every local reply), then
        /// <paramref name="extraHeaders"/>; the reply goes through <c>local_reply_config</c>, then the filters. With
        /// <paramref name="rewrite"/> false (a filter's own response, such as a CORS preflight, which Envoy encodes
        /// directly) neither route headers nor <c>local_reply_config</c> apply. A request waiting for a connection stops.
        /// </summary>
        private void ReplyLocally(int status, string body, ResponseFlags flags, string details, HttpHeaders? extraHeaders = null, bool rewrite = true)
        {
            CancelPendingLease();
            var request = _request!;
            _info!.Flags |= flags;
            _info.ResponseCodeDetails = details;
            if (!_requestComplete && ExpectsContinue(request) && !_continueSent)
            {
                // The client may be holding its body back until it hears 100: it cannot be read, so it cannot be skipped.
                _abandonRequestBody = true;
            }
            if (_abandonRequestBody)
            {
                _closeAfterResponse = true;
            }
            var reply = rewrite
                ? _hcm.LocalReply.Rewrite(_info, status, body, RouteLocalReplyHeaders(extraHeaders))
                : LocalReplyRewriter.Default.Rewrite(_info, status, body, extraHeaders);
            var headers = FilterResponseHeaders(reply.Headers);
            var bytes = LocalReply.Build(request.Version, reply.Status, request.IsHead ? string.Empty : reply.Body, _closeAfterResponse, _hcm.LocalReplyServerName, reply.ContentType, headers);
            _response = null;
            _status = reply.Status;
            _responseHeadSent = true;
            EmitFinal(bytes);
        }

        /// <summary>Emits the last bytes of a response; the exchange ends once the request has been read in full too.</summary>
        private void EmitFinal(ByteString bytes)
        {
            if (_response is not null)
            {
                _status = _response.Status;
            }
            StopRequestTimers();
            void Done()
            {
                _responseDone = true;
                TryFinish();
            }
            if (bytes.IsEmpty)
            {
                Done();
            }
            else
            {
                Emit(_stage.Out, bytes, Done);
            }
        }

        private void TryFinish()
        {
            if (_requestComplete || _abandonRequestBody)
            {
                FinishExchange();
                return;
            }
            // The response is out but the request body is still arriving: read it to its end and drop it, so the
            // next request on this connection starts where it should.
            _discardingBody = true;
            PullIfOpen();
        }

        private void FinishExchange()
        {
            EndStream();
            var closeNow = _closeAfterResponse || _abandonRequestBody;
            _request = null;
            _response = null;
            _responseBody = null;
            _discardingBody = false;
            if (closeNow || _draining)
            {
                CloseGracefully();
                return;
            }
            WatchIdleConnection();
            if (_readAhead is { } next)
            {
                _readAhead = null;
                Dispatch(next);
                return;
            }
            PullIfOpen();
        }

        /// <summary>Counts the finished exchange and hands its StreamInfo to the access logs.</summary>
        private void EndStream()
        {
            _hcm.Stats.CompleteRequest(_status, _info?.StartTimestamp ?? 0);
            _hcm.Stats.DownstreamRqActive.Dec();
            LogStream();
        }

        private void LogStream()
        {
            CompleteFilters();
            var info = _info;
            if (info is null)
            {
                return;
            }
            _info = null;
            info.ResponseCode = _status;
            info.EndTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
            foreach (var log in _hcm.AccessLogs)
            {
                log.Log(info);
            }
            FinishSpan(info);
        }

        /// <summary>
        /// Sends FIN after the last response but keeps reading (and dropping) until the client closes too, for at most
        /// Envoy's <c>delayed_close_timeout</c>. Closing both sides at once can reset the connection and destroy a
        /// response the client has not read yet.
        /// </summary>
        private void CloseGracefully()
        {
            _closing = true;
            Complete(_stage.Out);
            ScheduleOnce(DelayedCloseTimer, _hcm.Timeouts.DelayedClose);
            PullIfOpen();
        }

        private void PullIfOpen()
        {
            if (IsClosed(_stage.In))
            {
                if (_closing || !InFlight)
                {
                    CompleteStage();
                }
                return;
            }
            if (!HasBeenPulled(_stage.In))
            {
                Pull(_stage.In);
            }
        }
    }
}
