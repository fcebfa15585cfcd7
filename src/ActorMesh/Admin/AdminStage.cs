using System.Globalization;
using System.Text;
using ActorMesh.Http;
using ActorMesh.Listeners;
using ActorMesh.Stats;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace ActorMesh.Admin;

/// <summary>Serves the admin endpoints on one admin connection: request parts in, responses out, keep-alive.</summary>
public sealed class AdminStage : GraphStageWithMaterializedValue<FlowShape<RequestPart, ByteString>, IConnectionControl>
{
    private readonly AdminContext _context;
    private readonly HttpConnectionManagerStats _stats;

    /// <param name="stats">The admin's own <c>http.admin.*</c> stats, as Envoy keeps them.</param>
    public AdminStage(AdminContext context, HttpConnectionManagerStats stats)
    {
        _context = context;
        _stats = stats;
        Shape = new FlowShape<RequestPart, ByteString>(In, Out);
    }

    public Inlet<RequestPart> In { get; } = new("Admin.in");

    public Outlet<ByteString> Out { get; } = new("Admin.out");

    public override FlowShape<RequestPart, ByteString> Shape { get; }

    public override ILogicAndMaterializedValue<IConnectionControl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(this);
        return new LogicAndMaterializedValue<IConnectionControl>(logic, logic);
    }

    private sealed class Logic : InAndOutGraphStageLogic, IConnectionControl
    {
        private readonly AdminStage _stage;
        private HttpRequestHead? _request;
        private volatile Action? _drain;
        private bool _draining;
        private Action<AdminResponse>? _onDeferred;

        // A POST body (a config for /config) is kept up to AdminBody.MaxBytes; other methods' bodies are dropped.
        private MemoryStream? _body;
        private bool _bodyTooLarge;

        public Logic(AdminStage stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandlers(stage.In, stage.Out, this);
        }

        public void Drain() => _drain?.Invoke();

        public override void PreStart()
        {
            _drain = GetAsyncCallback(() =>
            {
                _draining = true;
                if (_request is null)
                {
                    CompleteStage();
                }
            });
            _onDeferred = GetAsyncCallback<AdminResponse>(Send);
            _stage._stats.DownstreamCxTotal.Inc();
            _stage._stats.DownstreamCxActive.Inc();
            Pull(_stage.In);
        }

        public override void PostStop()
        {
            _stage._stats.DownstreamCxActive.Dec();
            if (_request is not null)
            {
                _stage._stats.DownstreamRqActive.Dec();
            }
        }

        public override void OnPull()
        {
        }

        public override void OnPush()
        {
            switch (Grab(_stage.In))
            {
                case RequestPart.Head head:
                    _request = head.Request;
                    _body = head.Request.Method == "POST" ? new MemoryStream() : null;
                    _bodyTooLarge = head.Request.ContentLength > AdminBody.MaxBytes;
                    _stage._stats.DownstreamRqTotal.Inc();
                    _stage._stats.DownstreamRqActive.Inc();
                    if (AdminBody.ExpectsContinue(head.Request) && !_bodyTooLarge)
                    {
                        // curl waits a second for this before sending a body of more than 1 KiB (a config file).
                        Emit(_stage.Out, AdminBody.Continue, () => Pull(_stage.In));
                        break;
                    }
                    if (_bodyTooLarge && AdminBody.ExpectsContinue(head.Request))
                    {
                        // Refused before the client sends the body; the connection closes after the answer.
                        Respond();
                        break;
                    }
                    Pull(_stage.In);
                    break;
                case RequestPart.Body body:
                    if (_body is not null && !_bodyTooLarge)
                    {
                        if (_body.Length + body.Data.Count > AdminBody.MaxBytes)
                        {
                            _bodyTooLarge = true;
                            _body = null;
                        }
                        else
                        {
                            body.Data.WriteTo(_body);
                        }
                    }
                    Pull(_stage.In);
                    break;
                case RequestPart.End:
                    Respond();
                    break;
                case RequestPart.Malformed malformed:
                    _stage._stats.DownstreamCxProtocolError.Inc();
                    Emit(_stage.Out, LocalReply.Build(HttpVersion.Http11, malformed.Error.Status, Http1Writer.ReasonPhrase(malformed.Error.Status), true, "actormesh"), CompleteStage);
                    break;
            }
        }

        private void Respond()
        {
            var request = _request!;
            var answer = _bodyTooLarge
                ? AdminEndpoints.Text($"request body over {AdminBody.MaxBytes} bytes\n", 413)
                : AdminEndpoints.Handle(_stage._context, request.Method, request.Target, _body?.ToArray() ?? []);
            _body = null;
            if (answer.Deferred is { } deferred)
            {
                // Nothing is read meanwhile: the answer comes back through the stage's own callback.
                var callback = _onDeferred!;
                deferred.ContinueWith(t => callback(t.IsCompletedSuccessfully
                    ? t.Result
                    : AdminEndpoints.Text((t.Exception?.GetBaseException().Message ?? "cancelled") + "\n", 500)));
                return;
            }
            Send(answer);
        }

        private void Send(AdminResponse answer)
        {
            var request = _request!;
            _request = null;
            _stage._stats.DownstreamRqActive.Dec();
            _stage._stats.CountResponse(answer.Status);
            var close = !request.KeepAlive || _draining || _bodyTooLarge;
            var body = Encoding.UTF8.GetBytes(answer.Body);
            var headers = new HttpHeaders();
            headers.Add("content-type", answer.ContentType);
            headers.Add("content-length", body.Length.ToString(CultureInfo.InvariantCulture));
            headers.Add("date", HttpDate.Now);
            headers.Add("server", "actormesh");
            if (close)
            {
                headers.Add("connection", "close");
            }
            var bytes = Http1Writer.ResponseHead(request.Version, answer.Status, Http1Writer.ReasonPhrase(answer.Status), headers);
            if (!request.IsHead)
            {
                bytes = bytes.Concat(ByteString.FromBytes(body));
            }
            Emit(_stage.Out, bytes, () =>
            {
                answer.AfterSent?.Invoke();
                if (close)
                {
                    CompleteStage();
                }
                else if (!IsClosed(_stage.In))
                {
                    Pull(_stage.In);
                }
                else
                {
                    CompleteStage();
                }
            });
        }
    }
}
