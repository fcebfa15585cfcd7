namespace ActorMesh.Config;

/// <summary>The connection manager's <c>local_reply_config</c>: <c>mappers[]</c> and <c>body_format</c>.</summary>
internal static class LocalReplyConfigReader
{
    /// <summary>Envoy's bounds on a mapper's <c>status_code</c>: [200, 600).</summary>
    private const long MinStatus = 200;
    private const long MaxStatus = 599;

    /// <summary>Envoy's <c>headers_to_add</c> <c>max_items</c>.</summary>
    private const int MaxHeadersToAdd = 1000;

    public static LocalReplyConfig? Read(YamlMap config, ConfigReadContext context)
    {
        var mappers = ReadResults.AllOrNull(config.Sequence("mappers").Select(item => ReadMapper(item, context)));
        var bodyFormat = config.Map("body_format") is { } format ? SubstitutionFormatReader.Read(format, context) : FormatResult.Default;
        return mappers is null || !bodyFormat.Ok ? null : new LocalReplyConfig(mappers.Value, bodyFormat.Format);
    }

    private static ResponseMapperConfig? ReadMapper(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } mapper)
        {
            return null;
        }
        var filter = mapper.RequiredMap("filter") is { } filterMap ? AccessLogFilterReader.Read(filterMap, context) : null;
        var status = ProtoValueReader.UInt32(mapper, "status_code", MinStatus, MaxStatus);
        var statusOk = status is not null || !mapper.Has("status_code");
        var body = mapper.Map("body") is { } source ? DataSourceReader.Read(source, context) : null;
        var bodyOk = body is not null || !mapper.Has("body");
        var headers = HeaderMutationReader.ReadAdds(mapper, "headers_to_add", context);
        if (headers is { Count: > MaxHeadersToAdd })
        {
            mapper.Error("headers_to_add", $"must have at most {MaxHeadersToAdd} items");
            headers = null;
        }
        var format = mapper.Map("body_format_override") is { } formatMap ? SubstitutionFormatReader.Read(formatMap, context) : FormatResult.Default;
        if (filter is null || !statusOk || !bodyOk || headers is null || !format.Ok)
        {
            return null;
        }
        return new ResponseMapperConfig(filter)
        {
            StatusCode = (int?)status,
            Body = body,
            HeadersToAdd = headers.Value,
            BodyFormatOverride = format.Format,
        };
    }
}
