using System.Diagnostics;
using ActorMesh.Upstream;
using Akka.Actor;
using Akka.Event;

namespace ActorMesh.Tracing;

/// <summary>
/// Drains one tracer's <see cref="SpanQueue"/> and POSTs the spans to a host of the collector cluster (round robin,
/// like any request to the cluster). One report is in flight at a time; whatever queued meanwhile goes in the next
/// one, so reports grow with load up to <see cref="MaxBatchSpans"/> and a single span is sent without waiting for a
/// timer. A slow or dead collector only fills the queue: the request path never waits on this actor.
/// </summary>
internal sealed class SpanExporterActor : UntypedActor
{
    /// <summary>The OpenTelemetry SDK's default <c>maxExportBatchSize</c>.</summary>
    public const int MaxBatchSpans = 512;

    private readonly SpanQueue _queue;
    private readonly ISpanEncoder _encoder;
    private readonly UpstreamCluster _cluster;
    private readonly CollectorTarget _target;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<FinishedSpan> _batch = new(MaxBatchSpans);
    private HttpClient? _client;
    private bool _failureReported;

    public SpanExporterActor(SpanQueue queue, ISpanEncoder encoder, UpstreamCluster cluster, CollectorTarget target)
    {
        _queue = queue;
        _encoder = encoder;
        _cluster = cluster;
        _target = target;
    }

    internal static Props Props(SpanQueue queue, ISpanEncoder encoder, UpstreamCluster cluster, CollectorTarget target) =>
        Akka.Actor.Props.Create(() => new SpanExporterActor(queue, encoder, cluster, target));

    protected override void PreStart()
    {
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = _target.Timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            // A report is not part of anyone's trace: it must not carry a traceparent of its own.
            ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
        })
        {
            Timeout = _target.Timeout,
        };
        WaitForSpans();
    }

    protected override void PostStop() => _client?.Dispose();

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case SpanExporterProtocol.SpansAvailable:
                Report();
                break;
            case SpanExporterProtocol.ReportCompleted completed:
                OnReportCompleted(completed);
                Report();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void WaitForSpans() =>
        _queue.Reader.WaitToReadAsync().AsTask().PipeTo(Self, success: _ => SpanExporterProtocol.SpansAvailable.Instance);

    private void Report()
    {
        _batch.Clear();
        while (_batch.Count < MaxBatchSpans && _queue.Reader.TryRead(out var span))
        {
            _batch.Add(span);
        }
        if (_batch.Count == 0)
        {
            WaitForSpans();
            return;
        }
        var host = _cluster.ChooseHost(LoadBalancerContext.None);
        if (host is null)
        {
            _queue.Stats.SpansDropped.Add(_batch.Count);
            Self.Tell(SpanExporterProtocol.SpansAvailable.Instance);
            return;
        }
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://{host.Endpoint}{_target.Path}")
        {
            Content = new ByteArrayContent(_encoder.Encode(_batch)),
        };
        request.Headers.Host = _target.HostHeader;
        request.Content.Headers.TryAddWithoutValidation("content-type", _encoder.ContentType);
        foreach (var (name, value) in _target.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        _queue.Stats.ReportsSent.Inc();
        var spans = _batch.Count;
        Send(request).PipeTo(Self,
            success: status => new SpanExporterProtocol.ReportCompleted(spans, status),
            failure: _ => new SpanExporterProtocol.ReportCompleted(spans, 0));
    }

    private async Task<int> Send(HttpRequestMessage request)
    {
        try
        {
            using var _ = request;
            using var response = await _client!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            return 0;
        }
    }

    private void OnReportCompleted(SpanExporterProtocol.ReportCompleted completed)
    {
        if (completed.Status is >= 200 and < 300)
        {
            _queue.Stats.SpansSent.Add(completed.Spans);
            _queue.Stats.ReportsSucceeded?.Inc();
            _failureReported = false;
            return;
        }
        if (completed.Status == 0)
        {
            _queue.Stats.ReportsFailed.Inc();
        }
        else
        {
            _queue.Stats.ReportsRejected.Inc();
        }
        if (!_failureReported)
        {
            // Once per outage: a dead collector must not flood the log at request rate.
            _log.Warning("tracing: cluster {0} did not accept spans ({1}); spans are dropped until it does",
                _target.Cluster, completed.Status == 0 ? "no response" : $"status {completed.Status}");
            _failureReported = true;
        }
    }
}
