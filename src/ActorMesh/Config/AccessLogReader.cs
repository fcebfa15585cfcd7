using System.Globalization;
using ActorMesh.AccessLog;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ActorMesh.Config;

/// <summary>
/// The HTTP connection manager's <c>access_log</c>: Envoy's file, stdout and stderr access loggers in their v2 and v3
/// forms. Format strings are compiled here so an unknown command operator fails the load at its YAML path.
/// No <c>filter</c> is supported yet: like every unread field it is reported as unknown.
/// </summary>
internal static class AccessLogReader
{
    public const string FileName = "envoy.access_loggers.file";
    public const string StdoutName = "envoy.access_loggers.stdout";
    public const string StderrName = "envoy.access_loggers.stderr";

    private static readonly HashSet<string> FileTypeUrls = new(StringComparer.Ordinal)
    {
        "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
        "type.googleapis.com/envoy.config.accesslog.v2.FileAccessLog",
    };

    private static readonly HashSet<string> FileNames = new(StringComparer.Ordinal) { FileName, "envoy.file_access_log" };

    private static readonly HashSet<string> StdoutTypeUrls = new(StringComparer.Ordinal)
    {
        "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
    };

    private static readonly HashSet<string> StdoutNames = new(StringComparer.Ordinal) { StdoutName };

    private static readonly HashSet<string> StderrTypeUrls = new(StringComparer.Ordinal)
    {
        "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StderrAccessLog",
    };

    private static readonly HashSet<string> StderrNames = new(StringComparer.Ordinal) { StderrName };

    // The members of FileAccessLog's access_log_format oneof; the first three are deprecated in v3 but still read.
    private static readonly string[] FileFormatFields = ["format", "json_format", "typed_json_format", "log_format"];

    private static readonly string[] LogFormatFields = ["text_format", "json_format", "text_format_source"];

    public static EquatableArray<AccessLogConfig>? ReadAll(YamlMap connectionManager, ConfigReadContext context) =>
        ReadResults.AllOrNull(connectionManager.Sequence("access_log").Select(item => Read(item, context)));

    private static AccessLogConfig? Read(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } entry
            || FilterDeclarationReader.Read(entry, context) is not { } declaration)
        {
            return null;
        }
        if (declaration.Is(FileTypeUrls, FileNames))
        {
            var name = declaration.CanonicalName(FileNames, FileName);
            if (declaration.Body is not { } body)
            {
                // A file logger cannot go without its path; a config that is not a mapping was reported already.
                if (!entry.HasAny("typed_config", "config"))
                {
                    entry.Missing("typed_config");
                }
                return null;
            }
            var path = body.RequiredScalar("path");
            var format = ReadFormat(body, FileFormatFields, context);
            return path is null || !format.Ok ? null : new AccessLogConfig(name, AccessLogSinkKind.File, path, format.Format);
        }
        var sink = declaration.Is(StdoutTypeUrls, StdoutNames) ? AccessLogSinkKind.Stdout
            : declaration.Is(StderrTypeUrls, StderrNames) ? AccessLogSinkKind.Stderr
            : (AccessLogSinkKind?)null;
        if (sink is null)
        {
            context.Unsupported(declaration.IdentityPath, declaration.IdentityMark, $"unsupported access logger '{declaration.Identity}'");
            declaration.Body?.IgnoreRest();
            return null;
        }
        var streamName = sink == AccessLogSinkKind.Stdout
            ? declaration.CanonicalName(StdoutNames, StdoutName)
            : declaration.CanonicalName(StderrNames, StderrName);
        var streamFormat = declaration.Body is { } streamBody ? ReadFormat(streamBody, ["log_format"], context) : new FormatResult(true, null);
        return streamFormat.Ok ? new AccessLogConfig(streamName, sink.Value, null, streamFormat.Format) : null;
    }

    /// <summary>Reads whichever of <paramref name="fields"/> is set; no format at all is Envoy's default.</summary>
    private static FormatResult ReadFormat(YamlMap body, string[] fields, ConfigReadContext context)
    {
        if (!TryOneOf(body, fields, out var key))
        {
            return FormatResult.Failed;
        }
        switch (key)
        {
            case null:
                return new FormatResult(true, null);
            case "format":
                return TextFormat(body, key, omitEmptyValues: false, contentType: null, context);
            case "json_format" or "typed_json_format":
                return JsonFormat(body, key, omitEmptyValues: false, contentType: null, context);
            default:
                return body.Map(key) is { } logFormat ? ReadSubstitutionFormatString(logFormat, context) : FormatResult.Failed;
        }
    }

    /// <summary>Envoy's <c>SubstitutionFormatString</c> (v3 <c>log_format</c>).</summary>
    private static FormatResult ReadSubstitutionFormatString(YamlMap logFormat, ConfigReadContext context)
    {
        var omitEmptyValues = logFormat.Boolean("omit_empty_values") ?? false;
        var contentType = logFormat.Scalar("content_type");
        if (!TryOneOf(logFormat, LogFormatFields, out var key))
        {
            return FormatResult.Failed;
        }
        switch (key)
        {
            case null:
                logFormat.Error($"one of {string.Join(", ", LogFormatFields)} is required");
                return FormatResult.Failed;
            case "text_format":
                return TextFormat(logFormat, key, omitEmptyValues, contentType, context);
            case "json_format":
                return JsonFormat(logFormat, key, omitEmptyValues, contentType, context);
            default:
                if (logFormat.Map(key) is not { } source)
                {
                    return FormatResult.Failed;
                }
                // Only an inline DataSource: the others (filename, environment_variable) are reported as unknown fields.
                var text = source.RequiredScalar("inline_string", "filename", "inline_bytes", "environment_variable");
                return text is not null && Validate(text, source.ChildPath("inline_string"), source.KeyMark("inline_string"), context)
                    ? new FormatResult(true, new AccessLogFormatConfig(text, null, omitEmptyValues, contentType))
                    : FormatResult.Failed;
        }
    }

    /// <summary>
    /// The member of a protobuf oneof that is set (null when none is). Setting several is an error at each extra one;
    /// all are then taken so that none is also reported as unknown.
    /// </summary>
    private static bool TryOneOf(YamlMap map, string[] fields, out string? key)
    {
        var set = fields.Where(map.Has).ToArray();
        key = set.FirstOrDefault();
        if (set.Length <= 1)
        {
            return true;
        }
        foreach (var extra in set.Skip(1))
        {
            map.Error(extra, $"only one of {string.Join(", ", fields)} may be set");
        }
        foreach (var field in set)
        {
            map.Take(field);
        }
        return false;
    }

    private static FormatResult JsonFormat(YamlMap map, string key, bool omitEmptyValues, string? contentType, ConfigReadContext context) =>
        ReadJsonFormat(map.Take(key)!, map.ChildPath(key), context) is { } json
            ? new FormatResult(true, new AccessLogFormatConfig(null, json, omitEmptyValues, contentType))
            : FormatResult.Failed;

    private static FormatResult TextFormat(YamlMap map, string key, bool omitEmptyValues, string? contentType, ConfigReadContext context)
    {
        var text = map.Scalar(key);
        return text is not null && Validate(text, map.ChildPath(key), map.KeyMark(key), context)
            ? new FormatResult(true, new AccessLogFormatConfig(text, null, omitEmptyValues, contentType))
            : FormatResult.Failed;
    }

    private static bool Validate(string format, string path, Mark mark, ConfigReadContext context)
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

    /// <summary>A format read (null: Envoy's default), or not, its errors reported.</summary>
    private readonly record struct FormatResult(bool Ok, AccessLogFormatConfig? Format)
    {
        public static FormatResult Failed => new(false, null);
    }
}
