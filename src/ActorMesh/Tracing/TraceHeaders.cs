using ActorMesh.Http;

namespace ActorMesh.Tracing;

/// <summary>
/// Trace context on the wire: W3C Trace Context (<c>traceparent</c>, <c>tracestate</c>) and Zipkin's B3, both the
/// multi-header form (<c>x-b3-traceid</c>, <c>x-b3-spanid</c>, <c>x-b3-parentspanid</c>, <c>x-b3-sampled</c>,
/// <c>x-b3-flags</c>) and the single <c>b3</c> header.
/// </summary>
public static class TraceHeaders
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string B3 = "b3";
    public const string B3TraceId = "x-b3-traceid";
    public const string B3SpanId = "x-b3-spanid";
    public const string B3ParentSpanId = "x-b3-parentspanid";
    public const string B3Sampled = "x-b3-sampled";
    public const string B3Flags = "x-b3-flags";

    /// <summary><c>version-traceid-parentid-flags</c>; versions above 00 may append fields, ff is invalid.</summary>
    public static bool TryExtractW3C(HttpHeaders headers, out SpanContext context)
    {
        context = default;
        var value = headers.Get(TraceParent).AsSpan().Trim();
        if (value.Length < 55 || value[2] != '-' || value[35] != '-' || value[52] != '-' || (value.Length > 55 && value[55] != '-'))
        {
            return false;
        }
        var version = value[..2];
        if (version is "ff" || !IsLowerHex(version) || (version is "00" && value.Length != 55) || !IsLowerHex(value[53..55]))
        {
            return false;
        }
        if (!TraceId.TryParse(value[3..35], out var traceId) || !SpanIds.TryParse(value[36..52], out var parent) || parent == 0)
        {
            return false;
        }
        var flags = Convert.ToByte(value[53..55].ToString(), 16);
        context = new SpanContext(traceId, parent, 0, (flags & 1) == 1);
        return true;
    }

    /// <summary>
    /// B3, single header first (it wins when both are sent). A sampling decision may come without ids (<c>b3: 0</c>,
    /// <c>x-b3-sampled: 1</c>): then <see cref="SpanContext.HasIds"/> is false and only the decision is used.
    /// </summary>
    public static bool TryExtractB3(HttpHeaders headers, out SpanContext context)
    {
        context = default;
        if (headers.Get(B3) is { } single)
        {
            return TryParseSingle(single.Trim(), out context);
        }
        var sampled = ParseSampled(headers.Get(B3Sampled));
        if (headers.Get(B3Flags) is "1")
        {
            // Debug implies sampled.
            sampled = true;
        }
        var traceHex = headers.Get(B3TraceId);
        var spanHex = headers.Get(B3SpanId);
        if (traceHex is null || spanHex is null)
        {
            context = new SpanContext(default, 0, 0, sampled);
            return sampled is not null;
        }
        if (!TraceId.TryParse(traceHex.Trim(), out var traceId) || !SpanIds.TryParse(spanHex.Trim(), out var spanId) || spanId == 0)
        {
            return false;
        }
        var parent = 0UL;
        if (headers.Get(B3ParentSpanId) is { } parentHex && !SpanIds.TryParse(parentHex.Trim(), out parent))
        {
            return false;
        }
        context = new SpanContext(traceId, spanId, parent, sampled);
        return true;
    }

    /// <summary>Writes <c>traceparent</c>; <c>tracestate</c> is the caller's and passes on unchanged.</summary>
    public static void InjectW3C(HttpHeaders headers, TraceId traceId, ulong spanId, bool sampled) =>
        headers.Set(TraceParent, $"00-{traceId.ToHex()}-{SpanIds.ToHex(spanId)}-{(sampled ? "01" : "00")}");

    /// <summary>
    /// Writes B3 naming <paramref name="spanId"/> as the upstream's parent: the single <c>b3</c> header when the
    /// request came with one, else the multi-header form.
    /// </summary>
    public static void InjectB3(HttpHeaders headers, TraceId traceId, ulong spanId, ulong parentSpanId, bool sampled, bool wide)
    {
        var trace = traceId.ToHex(wide);
        if (headers.Get(B3) is not null)
        {
            headers.Set(B3, parentSpanId == 0
                ? $"{trace}-{SpanIds.ToHex(spanId)}-{(sampled ? '1' : '0')}"
                : $"{trace}-{SpanIds.ToHex(spanId)}-{(sampled ? '1' : '0')}-{SpanIds.ToHex(parentSpanId)}");
            return;
        }
        headers.Set(B3TraceId, trace);
        headers.Set(B3SpanId, SpanIds.ToHex(spanId));
        if (parentSpanId == 0)
        {
            headers.Remove(B3ParentSpanId);
        }
        else
        {
            headers.Set(B3ParentSpanId, SpanIds.ToHex(parentSpanId));
        }
        headers.Set(B3Sampled, sampled ? "1" : "0");
    }

    public static bool HasB3(HttpHeaders headers) =>
        headers.Get(B3) is not null || headers.Get(B3TraceId) is not null || headers.Get(B3Sampled) is not null;

    /// <summary><c>{traceid}-{spanid}[-{sampling}[-{parentspanid}]]</c>, or the sampling state alone.</summary>
    private static bool TryParseSingle(string value, out SpanContext context)
    {
        context = default;
        var parts = value.Split('-');
        if (parts.Length == 1)
        {
            var only = ParseSampled(parts[0]);
            context = new SpanContext(default, 0, 0, only);
            return only is not null;
        }
        if (parts.Length > 4 || !TraceId.TryParse(parts[0], out var traceId) || !SpanIds.TryParse(parts[1], out var spanId) || spanId == 0)
        {
            return false;
        }
        bool? sampled = null;
        if (parts.Length >= 3 && (sampled = ParseSampled(parts[2])) is null)
        {
            return false;
        }
        var parent = 0UL;
        if (parts.Length == 4 && !SpanIds.TryParse(parts[3], out parent))
        {
            return false;
        }
        context = new SpanContext(traceId, spanId, parent, sampled);
        return true;
    }

    /// <summary>B3 sampling state: <c>1</c>/<c>0</c>, <c>d</c> (debug, so sampled), and the legacy <c>true</c>/<c>false</c>.</summary>
    private static bool? ParseSampled(string? value) => value?.Trim() switch
    {
        "1" or "d" or "true" => true,
        "0" or "false" => false,
        _ => null,
    };

    private static bool IsLowerHex(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }
        return true;
    }
}
