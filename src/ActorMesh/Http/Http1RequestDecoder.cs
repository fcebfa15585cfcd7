using System.Diagnostics;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace ActorMesh.Http;

/// <summary>
/// Bytes from a downstream connection in, <see cref="RequestPart"/>s out. Pipelined requests come out one after the
/// other; after a <see cref="RequestPart.Malformed"/> the stage completes, so nothing after a bad message is ever read.
/// A message found to be malformed before its head left the stage is dropped whole: only the error goes on, so not
/// even the head of a request with a bad body reaches an upstream when the bad bytes arrived with it.
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
        // Parts not yet pushed, from _next on; a list rather than a queue so that a failing message can be taken back.
        private readonly List<RequestPart> _ready = new();
        private readonly List<ByteString> _slices = new();
        private int _next;
        // Where the current message's parts start in _ready while its head is still undelivered, else -1.
        private int _messageStart = -1;
        private ByteString _buffer = ByteString.Empty;
        // A head that did not arrive in one read is gathered here, so that each of its bytes is copied once rather
        // than once per read; a head that arrives whole (the usual case) is parsed in place and never copied.
        private byte[] _head = Array.Empty<byte>();
        private int _headLength;
        // How much of an incomplete head has been searched for its end already.
        private int _headScanned;
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
                _ready.Add(new RequestPart.Body(chunk));
                Deliver();
                return;
            }
            if (_headLength > 0)
            {
                AppendHead(chunk.ToReadOnlySpan());
            }
            else
            {
                _buffer = _buffer.IsEmpty ? chunk : _buffer.Concat(chunk);
            }
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
            var inHead = _body is null && !_tunnel && (!_buffer.IsEmpty || _headLength > 0);
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
            if (!HasReady)
            {
                CompleteStage();
            }
        }

        private bool HasReady => _next < _ready.Count;

        private void Deliver()
        {
            if (HasReady)
            {
                if (IsAvailable(_stage.Out))
                {
                    if (_next == _messageStart)
                    {
                        _messageStart = -1;
                    }
                    var part = _ready[_next++];
                    if (_next == _ready.Count)
                    {
                        _ready.Clear();
                        _next = 0;
                    }
                    Push(_stage.Out, part);
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
            while (!_failed && (!_buffer.IsEmpty || _headLength > 0))
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
                        _ready.Add(new RequestPart.Body(slice));
                    }
                    _buffer = consumed == _buffer.Count ? ByteString.Empty : _buffer.Slice(consumed);
                    if (!_body.IsComplete)
                    {
                        return;
                    }
                    _ready.Add(RequestPart.End.Instance);
                    _messageStart = -1;
                    _body = null;
                }
            }
        }

        private bool ParseHead()
        {
            var gathered = _headLength > 0;
            var span = gathered ? _head.AsSpan(0, _headLength) : _buffer.ToReadOnlySpan();
            var skip = Http1HeadParser.LeadingEmptyLines(span);
            if (skip > 0)
            {
                if (gathered)
                {
                    _head.AsSpan(skip, _headLength - skip).CopyTo(_head);
                    _headLength -= skip;
                    span = _head.AsSpan(0, _headLength);
                }
                else
                {
                    _buffer = _buffer.Slice(skip);
                    span = span[skip..];
                }
                _headScanned = 0;
            }
            var headLength = Http1HeadParser.FindHeadEnd(span, ref _headScanned, _stage._limits, out var error);
            if (error is not null)
            {
                Fail(error);
                return false;
            }
            if (headLength == 0)
            {
                if (!gathered && !span.IsEmpty)
                {
                    AppendHead(span);
                    _buffer = ByteString.Empty;
                }
                return false;
            }
            var head = Http1HeadParser.ParseRequest(span[..headLength], _stage._limits, out error);
            if (head is null)
            {
                Fail(error!);
                return false;
            }
            if (gathered)
            {
                // What followed the head (body bytes, or the next request) came in the same read as its end.
                var rest = _headLength - headLength;
                _buffer = rest == 0 ? ByteString.Empty : ByteString.CopyFrom(_head, headLength, rest);
                // Gathered heads are rare: give the memory back rather than hold it for the connection's life.
                _head = Array.Empty<byte>();
                _headLength = 0;
            }
            else
            {
                _buffer = headLength == _buffer.Count ? ByteString.Empty : _buffer.Slice(headLength);
            }
            _headScanned = 0;
            _ready.Add(new RequestPart.Head(head));
            _headStarted = 0;
            if (head.WantsUpgrade)
            {
                _tunnel = true;
                if (!_buffer.IsEmpty)
                {
                    _ready.Add(new RequestPart.Body(_buffer));
                    _buffer = ByteString.Empty;
                }
                return false;
            }
            if (head.Framing == BodyFraming.None)
            {
                _ready.Add(RequestPart.End.Instance);
            }
            else
            {
                _messageStart = _ready.Count - 1;
                _body = new BodyDecoder(head.Framing, head.ContentLength, _stage._limits);
            }
            return true;
        }

        private void AppendHead(ReadOnlySpan<byte> bytes)
        {
            if (_headLength + bytes.Length > _head.Length)
            {
                // Doubling keeps the copies linear; the head limit (plus one read) bounds the size.
                var grown = new byte[Math.Max(_headLength + bytes.Length, Math.Max(1024, _head.Length * 2))];
                _head.AsSpan(0, _headLength).CopyTo(grown);
                _head = grown;
            }
            bytes.CopyTo(_head.AsSpan(_headLength));
            _headLength += bytes.Length;
        }

        private void Fail(HttpParseError error)
        {
            _failed = true;
            _buffer = ByteString.Empty;
            _head = Array.Empty<byte>();
            _headLength = 0;
            if (_messageStart >= 0)
            {
                _ready.RemoveRange(_messageStart, _ready.Count - _messageStart);
                _messageStart = -1;
            }
            _ready.Add(new RequestPart.Malformed(error));
        }
    }
}
