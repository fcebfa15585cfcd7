namespace ActorMesh.Tracing;

/// <summary>
/// The proxy's span for one request while it is in flight: its ids and whether it is sampled (exported). A value, so
/// an untraced request costs the stage nothing on the heap.
/// </summary>
public readonly record struct ActiveSpan(TraceId TraceId, ulong SpanId, ulong ParentSpanId, bool Sampled, bool Shared);

/// <summary>Envoy's span kinds for the connection manager's span (ingress is a server span).</summary>
public enum SpanKind
{
    Server,
    Client,
}

/// <summary>A finished, sampled span as the exporter sends it; immutable, so it crosses to the exporter actor as is.</summary>
public sealed record FinishedSpan(
    TraceId TraceId,
    ulong SpanId,
    ulong ParentSpanId,
    string Name,
    SpanKind Kind,
    long StartUnixNanos,
    long EndUnixNanos,
    bool Shared,
    bool Error,
    IReadOnlyList<KeyValuePair<string, string>> Tags)
{
    public string? Tag(string key) => Tags.FirstOrDefault(t => t.Key == key).Value;
}
