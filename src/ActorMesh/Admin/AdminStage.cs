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
                    _stage._stats.DownstreamRqTotal.Inc();
                    _stage._stats.DownstreamRqActive.Inc();
                    Pull(_stage.In);
                    break;
                case RequestPart.Body:
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
            _request = null;
            var answer = AdminEndpoints.Handle(_stage._context, request.Method, request.Target);
            _stage._stats.DownstreamRqActive.Dec();
            _stage._stats.CountResponse(answer.Status);
            var close = !request.KeepAlive || _draining;
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
