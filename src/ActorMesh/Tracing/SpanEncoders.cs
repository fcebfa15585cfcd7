using System.Buffers.Binary;
using System.Text.Json;

namespace ActorMesh.Tracing;

/// <summary>Turns a batch of spans into one collector request body.</summary>
internal interface ISpanEncoder
{
    string ContentType { get; }

    byte[] Encode(IReadOnlyList<FinishedSpan> spans);
}

/// <summary>
/// OTLP/HTTP protobuf: an <c>ExportTraceServiceRequest</c> (opentelemetry-proto <c>trace/v1</c>) with one resource
/// (<c>service.name</c>) and one scope. Field numbers are the proto's; tags become string attributes, as Envoy sets them.
/// </summary>
internal sealed class OtlpEncoder : ISpanEncoder
{
    private const string ScopeName = "actormesh";

    private readonly string _serviceName;

    public OtlpEncoder(string serviceName) => _serviceName = serviceName;

    public string ContentType => "application/x-protobuf";

    public byte[] Encode(IReadOnlyList<FinishedSpan> spans)
    {
        var resource = new ProtobufWriter();
        resource.Message(1, Attribute("service.name", _serviceName));
        var scope = new ProtobufWriter();
        scope.String(1, ScopeName);
        var scopeSpans = new ProtobufWriter();
        scopeSpans.Message(1, scope);
        foreach (var span in spans)
        {
            scopeSpans.Message(2, Span(span));
        }
        var resourceSpans = new ProtobufWriter();
        resourceSpans.Message(1, resource);
        resourceSpans.Message(2, scopeSpans);
        var request = new ProtobufWriter();
        request.Message(1, resourceSpans);
        return request.WrittenSpan.ToArray();
    }

    private static ProtobufWriter Span(FinishedSpan span)
    {
        Span<byte> traceId = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(traceId, span.TraceId.High);
        BinaryPrimitives.WriteUInt64BigEndian(traceId[8..], span.TraceId.Low);
        Span<byte> id = stackalloc byte[8];
        var writer = new ProtobufWriter();
        writer.Bytes(1, traceId);
        BinaryPrimitives.WriteUInt64BigEndian(id, span.SpanId);
        writer.Bytes(2, id);
        if (span.ParentSpanId != 0)
        {
            BinaryPrimitives.WriteUInt64BigEndian(id, span.ParentSpanId);
            writer.Bytes(4, id);
        }
        writer.String(5, span.Name);
        // SPAN_KIND_SERVER = 2, SPAN_KIND_CLIENT = 3.
        writer.Varint(6, span.Kind == SpanKind.Server ? 2UL : 3UL);
        writer.Fixed64(7, (ulong)span.StartUnixNanos);
        writer.Fixed64(8, (ulong)span.EndUnixNanos);
        foreach (var (key, value) in span.Tags)
        {
            writer.Message(9, Attribute(key, value));
        }
        if (span.Error)
        {
            // Status { code = STATUS_CODE_ERROR (2) }.
            var status = new ProtobufWriter();
            status.Varint(3, 2);
            writer.Message(15, status);
        }
        return writer;
    }

    /// <summary>A <c>KeyValue</c> with an <c>AnyValue.string_value</c>.</summary>
    private static ProtobufWriter Attribute(string key, string value)
    {
        var any = new ProtobufWriter();
        any.String(1, value);
        var keyValue = new ProtobufWriter();
        keyValue.String(1, key);
        keyValue.Message(2, any);
        return keyValue;
    }
}

/// <summary>Zipkin's v2 JSON span list (<c>collector_endpoint_version: HTTP_JSON</c>), timestamps in microseconds.</summary>
internal sealed class ZipkinJsonEncoder : ISpanEncoder
{
    private readonly string _serviceName;
    private readonly bool _traceId128Bit;

    public ZipkinJsonEncoder(string serviceName, bool traceId128Bit)
    {
        _serviceName = serviceName;
        _traceId128Bit = traceId128Bit;
    }

    public string ContentType => "application/json";

    public byte[] Encode(IReadOnlyList<FinishedSpan> spans)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var span in spans)
            {
                json.WriteStartObject();
                json.WriteString("traceId", span.TraceId.ToHex(_traceId128Bit));
                json.WriteString("id", SpanIds.ToHex(span.SpanId));
                if (span.ParentSpanId != 0)
                {
                    json.WriteString("parentId", SpanIds.ToHex(span.ParentSpanId));
                }
                json.WriteString("name", span.Name);
                json.WriteString("kind", span.Kind == SpanKind.Server ? "SERVER" : "CLIENT");
                json.WriteNumber("timestamp", span.StartUnixNanos / 1000);
                // Zipkin reads a zero duration as "unknown"; a finished span lasted at least a microsecond.
                json.WriteNumber("duration", Math.Max(1, (span.EndUnixNanos - span.StartUnixNanos) / 1000));
                json.WriteStartObject("localEndpoint");
                json.WriteString("serviceName", _serviceName);
                json.WriteEndObject();
                if (span.Shared)
                {
                    json.WriteBoolean("shared", true);
                }
                json.WriteStartObject("tags");
                foreach (var (key, value) in span.Tags)
                {
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return buffer.ToArray();
    }
}
