using System.Globalization;
using ActorMesh.AccessLog;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ActorMesh.Config;

/// <summary>A format read (null: the user's default), or not, its errors reported.</summary>
internal readonly record struct FormatResult(bool Ok, AccessLogFormatConfig? Format)
{
    public static FormatResult Failed => new(false, null);

    public static FormatResult Default => new(true, null);
}

/// <summary>
/// Envoy's <c>config.core.v3.SubstitutionFormatString</c> (an access log's <c>log_format</c>, a local reply's
/// <c>body_format</c>) and the deprecated text and JSON format fields. Format strings are compiled here so an unknown
/// command operator fails the load at its YAML path.
/// </summary>
internal static class SubstitutionFormatReader
{
    private static readonly string[] FormatFields = ["text_format", "json_format", "text_format_source"];

    public static FormatResult Read(YamlMap format, ConfigReadContext context)
    {
        var omitEmptyValues = format.Boolean("omit_empty_values") ?? false;
        var contentType = format.Scalar("content_type");
        if (!format.TryOneOf(FormatFields, out var key))
        {
            return FormatResult.Failed;
        }
        switch (key)
        {
            case null:
                format.Error($"one of {string.Join(", ", FormatFields)} is required");
                return FormatResult.Failed;
            case "text_format":
                return Text(format, key, omitEmptyValues, contentType, context);
            case "json_format":
                return Json(format, key, omitEmptyValues, contentType, context);
            default:
                if (format.Map(key) is not { } source || DataSourceReader.Read(source, context) is not { } text)
                {
                    return FormatResult.Failed;
                }
                return Validate(text, format.ChildPath(key), format.KeyMark(key), context)
                    ? new FormatResult(true, new AccessLogFormatConfig(text, null, omitEmptyValues, contentType))
                    : FormatResult.Failed;
        }
    }

    public static FormatResult Json(YamlMap map, string key, bool omitEmptyValues, string? contentType, ConfigReadContext context) =>
        ReadJsonFormat(map.Take(key)!, map.ChildPath(key), context) is { } json
            ? new FormatResult(true, new AccessLogFormatConfig(null, json, omitEmptyValues, contentType))
            : FormatResult.Failed;

    public static FormatResult Text(YamlMap map, string key, bool omitEmptyValues, string? contentType, ConfigReadContext context)
    {
        var text = map.Scalar(key);
        return text is not null && Validate(text, map.ChildPath(key), map.KeyMark(key), context)
            ? new FormatResult(true, new AccessLogFormatConfig(text, null, omitEmptyValues, contentType))
            : FormatResult.Failed;
    }

    /// <summary>Compiles a format string; false (reported at <paramref name="path"/>) when it does not compile.</summary>
    public static bool Validate(string format, string path, Mark mark, ConfigReadContext context)
    {
        if (FormatStringParser.TryParse(format, out _, out var error))
        {
            return true;
        }
        if (error!.IsUnsupported)
        {
            context.Unsupported(path, mark, error.Message);
        }
        else
        {
            context.Error(path, mark, error.Message);
        }
        return false;
    }

    /// <summary>
    /// A <c>json_format</c> struct. Its keys are the user's, so the mapping is walked directly rather than through a
    /// <see cref="YamlMap"/> (which would report every key as unknown).
    /// </summary>
    private static EquatableArray<JsonFormatField>? ReadJsonFormat(YamlNode node, string path, ConfigReadContext context)
    {
        if (node is not YamlMappingNode mapping)
        {
            context.Error(path, node.Start, "expected a mapping");
            return null;
        }
        var fields = new List<JsonFormatField>();
        var ok = true;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                context.Error(path, keyNode.Start, "mapping keys must be scalars");
                ok = false;
                continue;
            }
            var childPath = $"{path}.{key}";
            var value = ReadJsonValue(valueNode, childPath, context);
            if (value is null)
            {
                ok = false;
                continue;
            }
            fields.Add(new JsonFormatField(key, value));
        }
        return ok ? fields.ToEquatableArray() : null;
    }

    private static JsonFormatValue? ReadJsonValue(YamlNode node, string path, ConfigReadContext context)
    {
        switch (node)
        {
            case YamlMappingNode:
                return ReadJsonFormat(node, path, context) is { } nested ? JsonFormatValue.Object(nested) : null;
            case YamlSequenceNode:
                context.Unsupported(path, node.Start, "unsupported json_format value: lists are not supported");
                return null;
            case YamlScalarNode scalar:
                var text = scalar.Value ?? "";
                if (ConfigReadContext.IsNull(scalar))
                {
                    return JsonFormatValue.Scalar(JsonFormatValueKind.Null, "null");
                }
                if (scalar.Style == ScalarStyle.Plain)
                {
                    // Plain scalars are typed as YAML → JSON → protobuf Struct types them.
                    if (text is "true" or "false")
                    {
                        return JsonFormatValue.Scalar(JsonFormatValueKind.Bool, text);
                    }
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
                    {
                        return JsonFormatValue.Scalar(JsonFormatValueKind.Number, number.ToString("R", CultureInfo.InvariantCulture));
                    }
                }
                return Validate(text, path, node.Start, context) ? JsonFormatValue.Scalar(JsonFormatValueKind.String, text) : null;
            default:
                context.Error(path, node.Start, "expected a value");
                return null;
        }
    }
}
