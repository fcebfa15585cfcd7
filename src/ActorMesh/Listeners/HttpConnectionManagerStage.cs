using System.Diagnostics;
using System.Globalization;
using ActorMesh.Http;
using ActorMesh.Upstream;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;
using Akka.Util;

namespace ActorMesh.Listeners;

/// <summary>
/// The HTTP connection manager of one downstream connection: request parts in, response bytes out. For each request
/// it routes, picks a host, leases a pooled upstream connection and streams both bodies with backpressure; one
/// request is in flight at a time, so pipelined requests are answered in order.
/// </summary>
public sealed class HttpConnectionManagerStage : GraphStageWithMaterializedValue<FlowShape<RequestPart, ByteString>, IConnectionControl>
{
    private readonly HttpConnectionManager _hcm;

    public HttpConnectionManagerStage(HttpConnectionManager hcm)
    {
        _hcm = hcm;
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

        public bool Requested => _requested;

        public void Attach(Action drain) => _drain = drain;

        public void Drain()
        {
            _requested = true;
            _drain?.Invoke();
        }
    }

    private sealed class Logic : TimerGraphStageLogic, IInHandler, IOutHandler
    {
        private static readonly object DelayedCloseTimer = new();

        private readonly HttpConnectionManagerStage _stage;
        private readonly HttpConnectionManager _hcm;
        private readonly ConnectionControl _control;
        private readonly List<ByteString> _slices = new();
        private Action<(int Generation, Task Write)> _onWritten = null!;
        private Action<(int Generation, Task<Option<ByteString>> Read)> _onRead = null!;

        private int _generation;
        private HttpRequestHead? _request;
        private bool _requestComplete;
        private bool _responseDone;
        private int _status;
        private bool _discardingBody;
        private bool _closeAfterResponse;
        private bool _draining;
        private bool _closing;

        private UpstreamConnection? _upstream;
        private long _upstreamStart;
        private ByteString _responseBuffer = ByteString.Empty;
        private HttpResponseHead? _response;
        private BodyDecoder? _responseBody;
        private bool _chunkToDownstream;

        public Logic(HttpConnectionManagerStage stage, ConnectionControl control) : base(stage.Shape)
        {
            _stage = stage;
            _hcm = stage._hcm;
            _control = control;
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        private bool InFlight => _request is not null;

        public override void PreStart()
        {
            _onWritten = GetAsyncCallback<(int Generation, Task Write)>(OnUpstreamWritten);
            _onRead = GetAsyncCallback<(int Generation, Task<Option<ByteString>> Read)>(OnUpstreamRead);
            var drain = GetAsyncCallback(StartDraining);
            _control.Attach(drain);
            _hcm.Stats.DownstreamCxTotal.Inc();
            _hcm.Stats.DownstreamCxActive.Inc();
            if (_control.Requested)
            {
                StartDraining();
            }
            Pull(_stage.In);
        }

        public override void PostStop()
        {
            _hcm.Stats.DownstreamCxActive.Dec();
            if (_upstream is not null)
            {
                _upstream.Host.Release(_upstream, success: false, reusable: false);
                _upstream = null;
            }
            if (InFlight)
            {
                _hcm.Stats.DownstreamRqActive.Dec();
            }
        }

        public void OnPull()
        {
        }

        public void OnPush()
        {
            if (_closing)
            {
                Grab(_stage.In);
                PullIfOpen();
                return;
            }
            switch (Grab(_stage.In))
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
            // The client half-closed: a complete request still gets its response; a partial one is abandoned.
            if (_closing || !InFlight)
            {
                CompleteStage();
            }
            else if (!_requestComplete)
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

        /// <summary>Envoy's <c>delayed_close_timeout</c>: the client had its chance to close first.</summary>
        protected override void OnTimer(object timerKey) => CompleteStage();

        private void StartDraining()
        {
            _draining = true;
            _closeAfterResponse = true;
            if (!InFlight)
            {
                CompleteStage();
            }
        }

        private void StartRequest(HttpRequestHead request)
        {
            _generation++;
            _request = request;
            // A bodyless request is complete at its head; the decoder's End for it is read after the exchange.
            _requestComplete = request.Framing == BodyFraming.None;
            _responseDone = false;
            _discardingBody = false;
            _closeAfterResponse |= !request.KeepAlive;
            _hcm.Stats.DownstreamRqTotal.Inc();
            _hcm.Stats.DownstreamRqActive.Inc();

            var route = _hcm.Routes.Match(request.Host, request.Path);
            if (route is null)
            {
                _hcm.Stats.NoRoute.Inc();
                ReplyLocally(404, string.Empty);
                return;
            }
            var cluster = _hcm.Clusters[route.Cluster];
            var host = cluster.ChooseHost();
            if (host is null)
            {
                cluster.Stats.UpstreamCxNoneHealthy.Inc();
                ReplyLocally(503, LocalReply.NoHealthyUpstream);
                return;
            }

            _upstream = host.Lease();
            _upstreamStart = Stopwatch.GetTimestamp();
            _response = null;
            _responseBody = null;
            _responseBuffer = ByteString.Empty;
            WriteUpstream(Http1Writer.RequestHead(request.Method, request.Target, UpstreamHeaders(request)));
            ReadUpstream();
        }

        private HttpHeaders UpstreamHeaders(HttpRequestHead request)
        {
            var headers = request.Headers;
            headers.RemoveHopByHop();
            if (request.Framing == BodyFraming.Chunked)
            {
                headers.Add("transfer-encoding", "chunked");
            }
            headers.Set("x-forwarded-proto", "http");
            if (headers.Get("x-request-id") is null)
            {
                headers.Add("x-request-id", RequestId.Next());
            }
            return headers;
        }

        private void OnRequestBody(ByteString data)
        {
            if (_discardingBody || _upstream is null)
            {
                PullIfOpen();
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
            if (_discardingBody || _responseDone)
            {
                TryFinish();
            }
            else if (_upstream is not null && _request!.Framing == BodyFraming.Chunked)
            {
                WriteUpstream(Http1Writer.LastChunk);
            }
        }

        private void OnMalformed(HttpParseError error)
        {
            _hcm.Stats.DownstreamCxProtocolError.Inc();
            if (InFlight && (_response is not null || _responseDone))
            {
                // The answer to this request is already on its way: all that is left is to reset the connection.
                FailStage(new IOException("malformed request body: " + error.Details));
                return;
            }
            ReleaseUpstream(success: false, reusable: false);
            _hcm.Stats.CountResponse(error.Status);
            var version = _request?.Version ?? HttpVersion.Http11;
            Emit(_stage.Out, LocalReply.Build(version, error.Status, Http1Writer.ReasonPhrase(error.Status), close: true, _hcm.ServerName), CompleteStage);
        }

        private void WriteUpstream(ByteString bytes)
        {
            var generation = _generation;
            var write = _upstream!.WriteAsync(bytes);
            if (write.IsCompleted)
            {
                // Small writes usually complete at once: no need to go round the stage's mailbox.
                OnUpstreamWritten((generation, write));
                return;
            }
            write.ContinueWith(
                static (t, state) =>
                {
                    var (callback, gen) = ((Action<(int, Task)>, int))state!;
                    callback((gen, t));
                },
                (_onWritten, generation),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private void OnUpstreamWritten((int Generation, Task Write) written)
        {
            if (written.Generation != _generation || _upstream is null)
            {
                return;
            }
            // A failed write surfaces on the read side too, which decides the answer; here we only stop sending.
            if (written.Write.IsCompletedSuccessfully && !_requestComplete)
            {
                PullIfOpen();
            }
        }

        private void ReadUpstream()
        {
            var generation = _generation;
            var read = _upstream!.ReadAsync();
            if (read.IsCompleted)
            {
                OnUpstreamRead((generation, read));
                return;
            }
            read.ContinueWith(
                static (t, state) =>
                {
                    var (callback, gen) = ((Action<(int, Task<Option<ByteString>>)>, int))state!;
                    callback((gen, t));
                },
                (_onRead, generation),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private void OnUpstreamRead((int Generation, Task<Option<ByteString>> Read) read)
        {
            if (read.Generation != _generation || _upstream is null)
            {
                return;
            }
            var ok = read.Read.IsCompletedSuccessfully && read.Read.Result.HasValue;
            if (!ok)
            {
                // A failed read is a reset; only an orderly close (no value) can end a body framed by the close.
                OnUpstreamClosed(reset: !read.Read.IsCompletedSuccessfully);
                return;
            }
            var bytes = read.Read.Result.Value;
            if (_response is null)
            {
                OnResponseHeadBytes(bytes);
            }
            else
            {
                ForwardResponseBody(bytes, ByteString.Empty);
            }
        }

        private void OnUpstreamClosed(bool reset)
        {
            var upstream = _upstream!;
            if (_response is null)
            {
                var connectFailed = upstream.Connected.IsFaulted || !upstream.Connected.IsCompleted;
                if (connectFailed)
                {
                    upstream.Host.OnConnectFailure();
                }
                ReleaseUpstream(success: false, reusable: false);
                ReplyLocally(503, connectFailed ? LocalReply.ConnectFailure : LocalReply.ConnectionTermination);
            }
            else if (_response.Framing == BodyFraming.UntilClose && _responseBody is not null && !reset)
            {
                ReleaseUpstream(success: true, reusable: false);
                EmitFinal(_chunkToDownstream ? Http1Writer.LastChunk : ByteString.Empty);
            }
            else
            {
                // Headers already went downstream: the only honest signal left is to reset the downstream too.
                ReleaseUpstream(success: false, reusable: false);
                FailStage(new IOException("upstream reset after response headers"));
            }
        }

        private void OnResponseHeadBytes(ByteString bytes)
        {
            _responseBuffer = _responseBuffer.IsEmpty ? bytes : _responseBuffer.Concat(bytes);
            while (true)
            {
                var span = _responseBuffer.ToReadOnlySpan();
                var headLength = Http1HeadParser.FindHeadEnd(span, _hcm.Limits, out var error);
                if (error is not null)
                {
                    UpstreamProtocolError();
                    return;
                }
                if (headLength == 0)
                {
                    ReadUpstream();
                    return;
                }
                var response = Http1HeadParser.ParseResponse(span[..headLength], _request!.IsHead, _hcm.Limits, out error);
                if (response is null)
                {
                    UpstreamProtocolError();
                    return;
                }
                var rest = headLength == _responseBuffer.Count ? ByteString.Empty : _responseBuffer.Slice(headLength);
                _responseBuffer = ByteString.Empty;
                if (response.Status is >= 100 and < 200)
                {
                    // Interim responses are not relayed yet; the final response follows on the same connection.
                    _responseBuffer = rest;
                    if (rest.IsEmpty)
                    {
                        ReadUpstream();
                        return;
                    }
                    continue;
                }
                _response = response;
                _responseBody = new BodyDecoder(response.Framing, response.ContentLength, _hcm.Limits);
                ForwardResponseBody(rest, DownstreamHead(response));
                return;
            }
        }

        private ByteString DownstreamHead(HttpResponseHead response)
        {
            var request = _request!;
            var headers = response.Headers;
            headers.RemoveHopByHop();
            var unframed = response.Framing is BodyFraming.Chunked or BodyFraming.UntilClose;
            _chunkToDownstream = unframed && request.Version == HttpVersion.Http11;
            if (_chunkToDownstream)
            {
                headers.Add("transfer-encoding", "chunked");
            }
            else if (unframed)
            {
                // An HTTP/1.0 client learns where the body ends only from the connection closing.
                _closeAfterResponse = true;
            }
            var elapsedMs = (long)Stopwatch.GetElapsedTime(_upstreamStart).TotalMilliseconds;
            headers.Set("x-envoy-upstream-service-time", elapsedMs.ToString(CultureInfo.InvariantCulture));
            headers.Set("server", _hcm.ServerName);
            if (headers.Get("date") is null)
            {
                headers.Add("date", HttpDate.Now);
            }
            if (_closeAfterResponse)
            {
                headers.Add("connection", "close");
            }
            else if (request.Version == HttpVersion.Http10)
            {
                headers.Add("connection", "keep-alive");
            }
            return Http1Writer.ResponseHead(request.Version, response.Status, response.Reason, headers);
        }

        private void ForwardResponseBody(ByteString bytes, ByteString prefix)
        {
            var decoder = _responseBody!;
            _slices.Clear();
            var consumed = decoder.Decode(bytes, _slices, out _);
            if (consumed < 0)
            {
                if (prefix.IsEmpty)
                {
                    ReleaseUpstream(success: false, reusable: false);
                    FailStage(new IOException("invalid upstream response framing"));
                }
                else
                {
                    UpstreamProtocolError();
                }
                return;
            }
            var output = prefix;
            foreach (var slice in _slices)
            {
                if (_request!.IsHead)
                {
                    continue;
                }
                output = output.Concat(_chunkToDownstream ? Http1Writer.Chunk(slice) : slice);
            }
            var complete = decoder.IsComplete;
            if (complete)
            {
                // Bytes past the end of the response mean the upstream is out of step: never reuse it.
                var reusable = consumed == bytes.Count && _response!.KeepAlive && _requestComplete;
                ReleaseUpstream(success: true, reusable: reusable);
                if (_chunkToDownstream)
                {
                    output = output.Concat(Http1Writer.LastChunk);
                }
                EmitFinal(output);
            }
            else if (output.IsEmpty)
            {
                ReadUpstream();
            }
            else
            {
                Emit(_stage.Out, output, ReadUpstream);
            }
        }

        private void UpstreamProtocolError()
        {
            ReleaseUpstream(success: false, reusable: false);
            ReplyLocally(502, LocalReply.ProtocolError);
        }

        private void ReleaseUpstream(bool success, bool reusable)
        {
            var upstream = _upstream;
            if (upstream is null)
            {
                return;
            }
            _upstream = null;
            upstream.Host.Release(upstream, success, reusable);
        }

        private void ReplyLocally(int status, string body)
        {
            var request = _request!;
            // A request whose body we will not read to its end must not leave bytes behind on a kept connection.
            var bytes = LocalReply.Build(request.Version, status, request.IsHead ? string.Empty : body, _closeAfterResponse, _hcm.ServerName);
            _response = null;
            _status = status;
            EmitFinal(bytes);
        }

        /// <summary>Emits the last bytes of a response; the exchange ends once the request has been read in full too.</summary>
        private void EmitFinal(ByteString bytes)
        {
            if (_response is not null)
            {
                _status = _response.Status;
            }
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
            if (_requestComplete)
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
            _hcm.Stats.CountResponse(_status);
            _hcm.Stats.DownstreamRqActive.Dec();
            var closeNow = _closeAfterResponse;
            _request = null;
            _response = null;
            _responseBody = null;
            _discardingBody = false;
            if (closeNow || _draining)
            {
                CloseGracefully();
                return;
            }
            PullIfOpen();
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
            ScheduleOnce(DelayedCloseTimer, _hcm.DelayedCloseTimeout);
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
