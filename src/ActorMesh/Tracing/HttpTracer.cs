using System.Globalization;
using ActorMesh.Config;
using ActorMesh.Http;

namespace ActorMesh.Tracing;

/// <summary>
/// An HTTP connection manager's tracer (Envoy's <c>HttpTracer</c> with its driver): decides per request whether it is
/// traced, gives it a span continuing the caller's trace, tells the upstream, and at the end of the exchange tags the
/// span and queues it for export. Immutable and shared by every connection of the listener.
/// </summary>
public sealed class HttpTracer
{
    /// <summary>Envoy's operation name for a connection manager without a route decorator on an inbound listener.</summary>
    public const string IngressOperation = "ingress";

    private readonly TracingConfig _config;
    private readonly TracerDriver _driver;
    private readonly SpanQueue _queue;
    private readonly string _nodeId;

    internal HttpTracer(TracingConfig config, TracerDriver driver, SpanQueue queue, string nodeId)
    {
        _config = config;
        _driver = driver;
        _queue = queue;
        _nodeId = nodeId;
    }

    /// <summary>
    /// Called with the headers about to go upstream (after the forwarding headers, so the request id and the trust
    /// decisions are final): decides, starts the span and writes the trace context for the upstream.
    /// </summary>
    public ActiveSpan StartSpan(HttpHeaders headers)
    {
        var span = Start(headers);
        _driver.Inject(headers, span);
        return span;
    }

    /// <summary>
    /// Ends the exchange's span. A request answered locally never went upstream and has no span yet: it gets one
    /// here, decided on the request as it arrived, as Envoy traces local replies too.
    /// </summary>
    public void FinishSpan(ActiveSpan? started, StreamInfo info)
    {
        if (info.Request is not { } request)
        {
            return;
        }
        var requestId = request.Headers.Get("x-request-id");
        var span = started ?? StartLocal(request.Headers, ref requestId);
        if (!span.Sampled)
        {
            return;
        }
        var startNanos = (info.StartTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        var endNanos = startNanos + (info.Duration ?? TimeSpan.Zero).Ticks * 100;
        var error = info.ResponseCode is 0 or >= 500;
        _queue.Enqueue(new FinishedSpan(
            span.TraceId,
            span.SpanId,
            span.ParentSpanId,
            IngressOperation,
            SpanKind.Server,
            startNanos,
            endNanos,
            span.Shared,
            error,
            Tags(request, requestId, info, error)));
    }

    private ActiveSpan Start(HttpHeaders headers) =>
        _driver.Start(headers, TraceSampler.Decide(headers, _config) != TraceReason.NotTraceable);

    /// <summary>
    /// The span of a local reply. The request's headers belong to the access log by now and are only read: the decision
    /// runs on a copy of what it reads, with a request id generated where the request had none, as Envoy would have.
    /// </summary>
    private ActiveSpan StartLocal(HttpHeaders headers, ref string? requestId)
    {
        var decided = new HttpHeaders(3);
        decided.Add("x-request-id", requestId ?? RequestId.Next());
        foreach (var name in (ReadOnlySpan<string>)[TraceSampler.ClientTraceId, TraceSampler.ForceTrace])
        {
            if (headers.Get(name) is { } value)
            {
                decided.Add(name, value);
            }
        }
        var traced = TraceSampler.Decide(decided, _config) != TraceReason.NotTraceable;
        requestId = decided.Get("x-request-id");
        return _driver.Start(headers, traced);
    }

    /// <summary>Envoy's tags for the connection manager's span (<c>HttpTracerUtility::finalizeDownstreamSpan</c>).</summary>
    private List<KeyValuePair<string, string>> Tags(HttpRequestHead request, string? requestId, StreamInfo info, bool error)
    {
        var headers = request.Headers;
        var tags = new List<KeyValuePair<string, string>>(20)
        {
            new("component", "proxy"),
            new("node_id", _nodeId),
            new("guid:x-request-id", requestId ?? string.Empty),
            new("http.url", Truncate($"http://{request.Host}{request.Target}", _config.MaxPathTagLength)),
            new("http.method", request.Method),
            new("downstream_cluster", headers.Get("x-envoy-downstream-service-cluster") ?? "-"),
            new("user_agent", headers.Get("user-agent") ?? "-"),
            new("http.protocol", request.Version == Http.HttpVersion.Http10 ? "HTTP/1.0" : "HTTP/1.1"),
        };
        if (info.DownstreamRemoteAddress is { } peer)
        {
            tags.Add(new("peer.address", peer.ToString()!));
        }
        if (headers.Get(TraceSampler.ClientTraceId) is { } clientTraceId)
        {
            tags.Add(new("guid:x-client-trace-id", clientTraceId));
        }
        tags.Add(new("request_size", info.BytesReceived.ToString(CultureInfo.InvariantCulture)));
        tags.Add(new("response_size", info.BytesSent.ToString(CultureInfo.InvariantCulture)));
        tags.Add(new("http.status_code", info.ResponseCode.ToString(CultureInfo.InvariantCulture)));
        tags.Add(new("response_flags", ResponseFlagCodes.ToShortString(info.Flags)));
        if (info.UpstreamCluster is { } cluster)
        {
            tags.Add(new("upstream_cluster", cluster));
            tags.Add(new("upstream_cluster.name", cluster));
        }
        if (info.UpstreamHost is { } host)
        {
            tags.Add(new("upstream_address", host.ToString()!));
        }
        foreach (var custom in _config.CustomTags)
        {
            var value = custom.Literal ?? (custom.RequestHeader is { } name ? headers.Get(name) ?? custom.DefaultValue : null);
            if (value is not null)
            {
                tags.Add(new(custom.Tag, value));
            }
        }
        if (error)
        {
            tags.Add(new("error", "true"));
        }
        return tags;
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
