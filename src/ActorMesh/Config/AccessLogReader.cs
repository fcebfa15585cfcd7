namespace ActorMesh.Config;

/// <summary>
/// The HTTP connection manager's <c>access_log</c>: Envoy's file, stdout and stderr access loggers in their v2 and v3
/// forms, each with its optional <c>filter</c>. Format strings are compiled here so an unknown command operator fails
/// the load at its YAML path.
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

    public static EquatableArray<AccessLogConfig>? ReadAll(YamlMap connectionManager, ConfigReadContext context) =>
        ReadResults.AllOrNull(connectionManager.Sequence("access_log").Select(item => Read(item, context)));

    private static AccessLogConfig? Read(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } entry
            || FilterDeclarationReader.Read(entry, context) is not { } declaration)
        {
            return null;
        }
        var filter = entry.Map("filter") is { } filterMap ? AccessLogFilterReader.Read(filterMap, context) : null;
        var filterOk = filter is not null || !entry.Has("filter");
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
            return path is null || !format.Ok || !filterOk ? null : new AccessLogConfig(name, AccessLogSinkKind.File, path, format.Format) { Filter = filter };
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
        var streamFormat = declaration.Body is { } streamBody ? ReadFormat(streamBody, ["log_format"], context) : FormatResult.Default;
        return streamFormat.Ok && filterOk ? new AccessLogConfig(streamName, sink.Value, null, streamFormat.Format) { Filter = filter } : null;
    }

    /// <summary>Reads whichever of <paramref name="fields"/> is set; no format at all is Envoy's default.</summary>
    private static FormatResult ReadFormat(YamlMap body, string[] fields, ConfigReadContext context)
    {
        if (!body.TryOneOf(fields, out var key))
        {
            return FormatResult.Failed;
        }
        switch (key)
        {
            case null:
                return FormatResult.Default;
            case "format":
                return SubstitutionFormatReader.Text(body, key, omitEmptyValues: false, contentType: null, context);
            case "json_format" or "typed_json_format":
                return SubstitutionFormatReader.Json(body, key, omitEmptyValues: false, contentType: null, context);
            default:
                return body.Map(key) is { } logFormat ? SubstitutionFormatReader.Read(logFormat, context) : FormatResult.Failed;
        }
    }
}
