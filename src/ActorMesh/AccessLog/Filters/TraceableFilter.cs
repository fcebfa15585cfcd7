using ActorMesh.Http;
using ActorMesh.Tracing;

namespace ActorMesh.AccessLog.Filters;

/// <summary>
/// <c>traceable_filter</c>: Envoy passes a request whose trace the service forced (<c>x-envoy-force-trace</c> under a
/// tracing connection manager), which the request id's UUID carries as its trace status.
/// </summary>
internal sealed class TraceableFilter : AccessLogFilter
{
    public static readonly TraceableFilter Instance = new();

    public override bool Evaluate(StreamInfo info) =>
        info.Request?.Headers.Get("x-request-id") is { } id && TraceSampler.ReasonOf(id) == TraceReason.ServiceForced;
}
