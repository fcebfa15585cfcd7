using System.Globalization;
using System.Text;
using ActorMesh.Config;
using ActorMesh.Http;

namespace ActorMesh.AccessLog;

/// <summary>
/// <c>json_format</c>: one JSON object per line, keys in the order the config wrote them. As in Envoy, a string value
/// that is exactly one command operator keeps that operator's type (<c>%RESPONSE_CODE%</c> is a number) and is
/// <c>null</c> when unspecified; a string mixing text and operators is a string with <c>-</c> for unspecified parts.
/// Numbers, bools, null and nested mappings in the config are written as they are. <c>omit_empty_values</c> drops
/// keys whose value is unspecified or empty.
/// </summary>
internal sealed class JsonFormatter : AccessLogFormatter
{
    private readonly Field[] _fields;
    private readonly bool _omitEmptyValues;

    public JsonFormatter(EquatableArray<JsonFormatField> fields, bool omitEmptyValues)
    {
        _fields = CompileFields(fields);
        _omitEmptyValues = omitEmptyValues;
    }

    public override string Format(StreamInfo info)
    {
        var line = StringBuilderCache.AcquireLine();
        AppendObject(_fields, info, line);
        line.Append('\n');
        return StringBuilderCache.ToStringAndRelease(line);
    }

    private static Field[] CompileFields(EquatableArray<JsonFormatField> fields) =>
        fields.Select(f => new Field(
            Quoted(f.Key),
            f.Value.Kind,
            f.Value.Kind == JsonFormatValueKind.String ? Compile(f.Value.Text) : null,
            f.Value.Text,
            f.Value.Kind == JsonFormatValueKind.Object ? CompileFields(f.Value.Fields) : null)).ToArray();

    private void AppendObject(Field[] fields, StreamInfo info, StringBuilder output)
    {
        output.Append('{');
        var first = true;
        foreach (var field in fields)
        {
            var mark = output.Length;
            if (!first)
            {
                output.Append(',');
            }
            output.Append(field.QuotedKey).Append(':');
            if (AppendValue(field, info, output))
            {
                first = false;
            }
            else
            {
                output.Length = mark;
            }
        }
        output.Append('}');
    }

    /// <summary>Appends the value; false when omit_empty_values drops the key.</summary>
    private bool AppendValue(Field field, StreamInfo info, StringBuilder output)
    {
        switch (field.Kind)
        {
            case JsonFormatValueKind.Number or JsonFormatValueKind.Bool:
                output.Append(field.Literal);
                return true;
            case JsonFormatValueKind.Null:
                output.Append("null");
                return !_omitEmptyValues;
            case JsonFormatValueKind.Object:
                AppendObject(field.Nested!, info, output);
                return true;
        }
        var parts = field.Parts!;
        if (parts is [{ IsNumeric: true } numeric])
        {
            if (numeric.Number(info) is not { } number)
            {
                return Null(output);
            }
            output.Append(number);
            return true;
        }
        var scratch = StringBuilderCache.AcquireScratch();
        try
        {
            if (parts is [var single] && single is not LiteralText)
            {
                if (!single.Append(info, scratch))
                {
                    return Null(output);
                }
            }
            else
            {
                foreach (var part in parts)
                {
                    if (!part.Append(info, scratch) && !_omitEmptyValues)
                    {
                        scratch.Append('-');
                    }
                }
            }
            if (scratch.Length == 0 && _omitEmptyValues)
            {
                return false;
            }
            AppendQuoted(scratch, output);
            return true;
        }
        finally
        {
            StringBuilderCache.ReleaseScratch(scratch);
        }
    }

    private bool Null(StringBuilder output)
    {
        output.Append("null");
        return !_omitEmptyValues;
    }

    private static string Quoted(string text)
    {
        var builder = new StringBuilder(text.Length + 2);
        AppendQuoted(new StringBuilder(text), builder);
        return builder.ToString();
    }

    /// <summary>A JSON string (RFC 8259 §7): quote, backslash and control characters escaped, the rest as is.</summary>
    private static void AppendQuoted(StringBuilder value, StringBuilder output)
    {
        output.Append('"');
        foreach (var chunk in value.GetChunks())
        {
            foreach (var c in chunk.Span)
            {
                switch (c)
                {
                    case '"': output.Append("\\\""); break;
                    case '\\': output.Append("\\\\"); break;
                    case '\n': output.Append("\\n"); break;
                    case '\r': output.Append("\\r"); break;
                    case '\t': output.Append("\\t"); break;
                    case '\b': output.Append("\\b"); break;
                    case '\f': output.Append("\\f"); break;
                    case < ' ':
                        output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        break;
                    default: output.Append(c); break;
                }
            }
        }
        output.Append('"');
    }

    private sealed record Field(string QuotedKey, JsonFormatValueKind Kind, FormatOperator[]? Parts, string Literal, Field[]? Nested);
}
