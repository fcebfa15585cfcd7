using ActorMesh.Http;

namespace ActorMesh.Tracing;

/// <summary>
/// What differs between Envoy's tracers on the request path: which trace context format is read first, how the
/// proxy's span relates to the caller's, and what is written for the upstream.
/// </summary>
internal abstract class TracerDriver
{
    /// <summary>The proxy's span for a request; <paramref name="traced"/> is Envoy's decision, the caller's wins.</summary>
    public abstract ActiveSpan Start(HttpHeaders headers, bool traced);

    /// <summary>Writes headers naming the proxy's span as the upstream's parent.</summary>
    public abstract void Inject(HttpHeaders headers, ActiveSpan span);
}

/// <summary>
/// Envoy's OpenTelemetry tracer: W3C Trace Context (B3 is read when no <c>traceparent</c> came); a new span whose
/// parent is the caller's span; <c>traceparent</c> always written, B3 rewritten when the request carried it so no stale
/// parent reaches the upstream.
/// </summary>
internal sealed class OpenTelemetryDriver : TracerDriver
{
    public override ActiveSpan Start(HttpHeaders headers, bool traced)
    {
        if (TraceHeaders.TryExtractW3C(headers, out var parent) || TraceHeaders.TryExtractB3(headers, out parent))
        {
            return parent.HasIds
                ? new ActiveSpan(parent.TraceId, SpanIds.Next(), parent.SpanId, parent.Sampled ?? traced, Shared: false)
                : new ActiveSpan(TraceId.New(wide: true), SpanIds.Next(), 0, parent.Sampled ?? traced, Shared: false);
        }
        return new ActiveSpan(TraceId.New(wide: true), SpanIds.Next(), 0, traced, Shared: false);
    }

    public override void Inject(HttpHeaders headers, ActiveSpan span)
    {
        TraceHeaders.InjectW3C(headers, span.TraceId, span.SpanId, span.Sampled);
        if (TraceHeaders.HasB3(headers))
        {
            TraceHeaders.InjectB3(headers, span.TraceId, span.SpanId, span.ParentSpanId, span.Sampled, wide: true);
        }
    }
}

/// <summary>
/// Envoy's Zipkin tracer: B3 first (W3C when no B3 came). With <c>shared_span_context</c> (Envoy's default) the
/// ingress span shares the caller's span id, as Zipkin's server spans do; otherwise it is a new child. 64-bit trace
/// ids unless <c>trace_id_128bit</c>. B3 always written; <c>traceparent</c> rewritten when the request carried it.
/// </summary>
internal sealed class ZipkinDriver : TracerDriver
{
    private readonly bool _sharedSpanContext;
    private readonly bool _traceId128Bit;

    public ZipkinDriver(bool sharedSpanContext, bool traceId128Bit)
    {
        _sharedSpanContext = sharedSpanContext;
        _traceId128Bit = traceId128Bit;
    }

    public override ActiveSpan Start(HttpHeaders headers, bool traced)
    {
        if (TraceHeaders.TryExtractB3(headers, out var parent) || TraceHeaders.TryExtractW3C(headers, out parent))
        {
            var sampled = parent.Sampled ?? traced;
            if (!parent.HasIds)
            {
                return new ActiveSpan(TraceId.New(_traceId128Bit), SpanIds.Next(), 0, sampled, Shared: false);
            }
            return _sharedSpanContext
                ? new ActiveSpan(parent.TraceId, parent.SpanId, parent.ParentSpanId, sampled, Shared: true)
                : new ActiveSpan(parent.TraceId, SpanIds.Next(), parent.SpanId, sampled, Shared: false);
        }
        return new ActiveSpan(TraceId.New(_traceId128Bit), SpanIds.Next(), 0, traced, Shared: false);
    }

    public override void Inject(HttpHeaders headers, ActiveSpan span)
    {
        TraceHeaders.InjectB3(headers, span.TraceId, span.SpanId, span.ParentSpanId, span.Sampled, _traceId128Bit);
        if (headers.Get(TraceHeaders.TraceParent) is not null)
        {
            TraceHeaders.InjectW3C(headers, span.TraceId, span.SpanId, span.Sampled);
        }
    }
}
