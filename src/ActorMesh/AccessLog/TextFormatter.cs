using ActorMesh.Http;

namespace ActorMesh.AccessLog;

/// <summary>A text format (<c>text_format</c>, <c>format</c>, <c>text_format_source</c>); unspecified values print <c>-</c>.</summary>
internal sealed class TextFormatter(FormatOperator[] parts, bool omitEmptyValues) : AccessLogFormatter
{
    // Envoy's placeholder for a value that is not set; omit_empty_values prints nothing instead.
    private const string Unspecified = "-";

    public override string Format(StreamInfo info)
    {
        var line = StringBuilderCache.AcquireLine();
        foreach (var part in parts)
        {
            if (!part.Append(info, line) && !omitEmptyValues)
            {
                line.Append(Unspecified);
            }
        }
        return StringBuilderCache.ToStringAndRelease(line);
    }
}
