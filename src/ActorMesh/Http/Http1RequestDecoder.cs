using System.Diagnostics;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace ActorMesh.Http;

/// <summary>
/// Bytes from a downstream connection in, <see cref="RequestPart"/>s out. Pipelined requests come out one after the
/// other; after a <see cref="RequestPart.Malformed"/> the stage completes, so nothing after a bad message is ever read.
/// After a request that asks for an upgrade, every further byte is passed on as a body part, unparsed: it belongs to
/// the tunnelled protocol (or, if the upgrade is refused, the connection closes).
/// </summary>
public sealed class Http1RequestDecoder : GraphStage<FlowShape<ByteString, RequestPart>>
{
    private readonly Http1Limits _limits;
    private readonly TimeSpan _requestHeadersTimeout;

    /// <param name="requestHeadersTimeout">
    /// Envoy's <c>request_headers_timeout</c>: how long a header section may take from its first byte; zero disables.
    /// </param>
    public Http1RequestDecoder(Http1Limits limits, TimeSpan requestHeadersTimeout = default)
    {
        _limits = limits;
        _requestHeadersTimeout = requestHeadersTimeout;
        Shape = new FlowShape<ByteString, RequestPart>(In, Out);
    }

    public Inlet<ByteString> In { get; } = new("Http1RequestDecoder.in");

    public Outlet<RequestPart> Out { get; } = new("Http1RequestDecoder.out");

    public override FlowShape<ByteString, RequestPart> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic, IInHandler, IOutHandler
    {
        private static readonly object HeadersTimer = new();

        private readonly Http1RequestDecoder _stage;
        private readonly Queue<RequestPart> _ready = new();
        private readonly List<ByteString> _slices = new();
        private ByteString _buffer = ByteString.Empty;
        private BodyDecoder? _body;
        private bool _failed;
        private bool _tunnel;
        private long _headStarted;
        private bool _headersTimerArmed;

        public Logic(Http1RequestDecoder stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        public void OnPush()
        {
            var chunk = Grab(_stage.In);
            if (_tunnel)
            {
                _ready.Enqueue(new RequestPart.Body(chunk));
                Deliver();
                return;
            }
            _buffer = _buffer.IsEmpty ? chunk : _buffer.Concat(chunk);
            Parse();
            WatchHeaderSection();
            Deliver();
        }

        public void OnPull() => Deliver();

        public void OnDownstreamFinish(Exception cause) => CompleteStage();

        public void OnUpstreamFailure(Exception e) => FailStage(e);

        /// <summary>
        /// Arms the request_headers_timeout timer while a header section is incomplete. One timer at a time, checked
        /// against the start of the current head when it fires, so a keep-alive connection schedules no timer per
        /// request.
        /// </summary>
        private void WatchHeaderSection()
        {
            if (_stage._requestHeadersTimeout <= TimeSpan.Zero || _failed)
            {
                return;
            }
            var inHead = _body is null && !_buffer.IsEmpty;
            if (!inHead)
            {
                _headStarted = 0;
                return;
            }
            if (_headStarted == 0)
            {
                _headStarted = Stopwatch.GetTimestamp();
            }
            if (!_headersTimerArmed)
            {
                _headersTimerArmed = true;
                ScheduleOnce(HeadersTimer, _stage._requestHeadersTimeout - Stopwatch.GetElapsedTime(_headStarted));
            }
        }

        protected override void OnTimer(object timerKey)
        {
            _headersTimerArmed = false;
            if (_headStarted == 0 || _failed)
            {
                return;
            }
            if (Stopwatch.GetElapsedTime(_headStarted) >= _stage._requestHeadersTimeout)
            {
                Fail(new HttpParseError(408, HttpParseError.RequestHeadersTimeout));
                Deliver();
                return;
            }
            WatchHeaderSection();
        }

        public void OnUpstreamFinish()
        {
            if (_ready.Count == 0)
            {
                CompleteStage();
            }
        }

        private void Deliver()
        {
            if (_ready.Count > 0)
            {
                if (IsAvailable(_stage.Out))
                {
                    Push(_stage.Out, _ready.Dequeue());
                }
                return;
            }
            if (_failed || IsClosed(_stage.In))
            {
                CompleteStage();
            }
            else if (!HasBeenPulled(_stage.In))
            {
                Pull(_stage.In);
            }
        }

        private void Parse()
        {
            while (!_failed && !_buffer.IsEmpty)
            {
                if (_body is null)
                {
                    if (!ParseHead())
                    {
                        return;
                    }
                }
                else
                {
                    _slices.Clear();
                    var consumed = _body.Decode(_buffer, _slices, out var error);
                    if (consumed < 0)
                    {
                        Fail(new HttpParseError(400, error!));
                        return;
                    }
                    foreach (var slice in _slices)
                    {
                        _ready.Enqueue(new RequestPart.Body(slice));
                    }
                    _buffer = consumed == _buffer.Count ? ByteString.Empty : _buffer.Slice(consumed);
                    if (!_body.IsComplete)
                    {
                        return;
                    }
                    _ready.Enqueue(RequestPart.End.Instance);
                    _body = null;
                }
            }
        }

        private bool ParseHead()
        {
            var span = _buffer.ToReadOnlySpan();
            var skip = Http1HeadParser.LeadingEmptyLines(span);
            if (skip > 0)
            {
                _buffer = _buffer.Slice(skip);
                span = span[skip..];
            }
            var headLength = Http1HeadParser.FindHeadEnd(span, _stage._limits, out var error);
            if (error is not null)
            {
                Fail(error);
                return false;
            }
            if (headLength == 0)
            {
                return false;
            }
            var head = Http1HeadParser.ParseRequest(span[..headLength], _stage._limits, out error);
            if (head is null)
            {
                Fail(error!);
                return false;
            }
            _buffer = headLength == _buffer.Count ? ByteString.Empty : _buffer.Slice(headLength);
            _ready.Enqueue(new RequestPart.Head(head));
            _headStarted = 0;
            if (head.WantsUpgrade)
            {
                _tunnel = true;
                if (!_buffer.IsEmpty)
                {
                    _ready.Enqueue(new RequestPart.Body(_buffer));
                    _buffer = ByteString.Empty;
                }
                return false;
            }
            if (head.Framing == BodyFraming.None)
            {
                _ready.Enqueue(RequestPart.End.Instance);
            }
            else
            {
                _body = new BodyDecoder(head.Framing, head.ContentLength, _stage._limits);
            }
            return true;
        }

        private void Fail(HttpParseError error)
        {
            _failed = true;
            _buffer = ByteString.Empty;
            _ready.Enqueue(new RequestPart.Malformed(error));
        }
    }
}
