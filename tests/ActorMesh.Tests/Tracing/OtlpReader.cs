using Google.Protobuf;

namespace ActorMesh.Tests.Tracing;

/// <summary>An OTLP span as the collector decoded it; ids in lowercase hex.</summary>
internal sealed record OtlpSpan(
    string ServiceName,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    ulong StartNanos,
    ulong EndNanos,
    IReadOnlyDictionary<string, string> Attributes,
    int StatusCode);

/// <summary>
/// Reads an OTLP <c>ExportTraceServiceRequest</c> with Google.Protobuf's wire reader and the field numbers of
/// opentelemetry-proto's <c>trace/v1</c> (the generated types are not published on our feed): an independent check of
/// the proxy's hand-written encoder.
/// </summary>
internal static class OtlpReader
{
    public static IReadOnlyList<OtlpSpan> Read(byte[] body)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Fields(body, 1))
        {
            var serviceName = "";
            foreach (var resource in Fields(resourceSpans, 1))
            {
                Attributes(resource, 1).TryGetValue("service.name", out serviceName!);
            }
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    spans.Add(Span(serviceName ?? "", span));
                }
            }
        }
        return spans;
    }

    private static OtlpSpan Span(string serviceName, byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        int kind = 0, status = 0;
        ulong start = 0, end = 0;
        var input = new CodedInputStream(span);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: traceId = Convert.ToHexStringLower(input.ReadBytes().ToByteArray()); break;
                case 2: spanId = Convert.ToHexStringLower(input.ReadBytes().ToByteArray()); break;
                case 4: parent = Convert.ToHexStringLower(input.ReadBytes().ToByteArray()); break;
                case 5: name = input.ReadString(); break;
                case 6: kind = input.ReadEnum(); break;
                case 7: start = input.ReadFixed64(); break;
                case 8: end = input.ReadFixed64(); break;
                case 15:
                    var statusInput = new CodedInputStream(input.ReadBytes().ToByteArray());
                    uint statusTag;
                    while ((statusTag = statusInput.ReadTag()) != 0)
                    {
                        if (WireFormat.GetTagFieldNumber(statusTag) == 3)
                        {
                            status = statusInput.ReadEnum();
                        }
                        else
                        {
                            statusInput.SkipLastField();
                        }
                    }
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return new OtlpSpan(serviceName, traceId, spanId, parent, name, kind, start, end, Attributes(span, 9), status);
    }

    /// <summary>The string-valued <c>KeyValue</c>s in field <paramref name="field"/>.</summary>
    private static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in Fields(message, field))
        {
            var input = new CodedInputStream(keyValue);
            string key = "", value = "";
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1: key = input.ReadString(); break;
                    case 2:
                        var any = new CodedInputStream(input.ReadBytes().ToByteArray());
                        uint anyTag;
                        while ((anyTag = any.ReadTag()) != 0)
                        {
                            if (WireFormat.GetTagFieldNumber(anyTag) == 1)
                            {
                                value = any.ReadString();
                            }
                            else
                            {
                                any.SkipLastField();
                            }
                        }
                        break;
                    default: input.SkipLastField(); break;
                }
            }
            attributes[key] = value;
        }
        return attributes;
    }

    /// <summary>The length-delimited values of one field number, in order.</summary>
    private static IEnumerable<byte[]> Fields(byte[] message, int field)
    {
        var values = new List<byte[]>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                values.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }
        return values;
    }
}
