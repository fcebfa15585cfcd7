namespace ActorMesh.Config;

/// <summary>
/// Envoy's HTTP connection manager with its inline route configuration, HTTP filters, access logs and local reply
/// config.
/// </summary>
internal static class HttpConnectionManagerReader
{
    public const string CanonicalName = "envoy.filters.network.http_connection_manager";

    public const string RouterName = "envoy.filters.http.router";

    private static readonly HashSet<string> TypeUrls = new(StringComparer.Ordinal)
    {
        "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "type.googleapis.com/envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager",
    };

    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        CanonicalName,
        "envoy.http_connection_manager",
    };

    private static readonly Dictionary<string, CodecType> Codecs = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AUTO"] = CodecType.Auto,
        ["HTTP1"] = CodecType.Http1,
    };

    private static readonly Dictionary<string, ServerHeaderTransformation> ServerHeaderTransformations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["OVERWRITE"] = ServerHeaderTransformation.Overwrite,
        ["APPEND_IF_ABSENT"] = ServerHeaderTransformation.AppendIfAbsent,
        ["PASS_THROUGH"] = ServerHeaderTransformation.PassThrough,
    };

    private static readonly Dictionary<string, HeadersWithUnderscoresAction> UnderscoreActions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ALLOW"] = HeadersWithUnderscoresAction.Allow,
        ["REJECT_REQUEST"] = HeadersWithUnderscoresAction.RejectRequest,
        ["DROP_HEADER"] = HeadersWithUnderscoresAction.DropHeader,
    };

    public static bool Identifies(FilterDeclaration declaration) => declaration.Is(TypeUrls, Names);

    public static HttpConnectionManagerConfig? Read(FilterDeclaration declaration, YamlMap body, ConfigReadContext context)
    {
        var codec = body.Enum("codec_type", Codecs);
        var statPrefix = body.RequiredScalar("stat_prefix");
        var routeConfig = body.RequiredMap("route_config", "rds", "scoped_routes") is { } routes
            ? RouteConfigurationReader.Read(routes, context)
            : null;
        var httpFilters = HttpFilterReader.ReadAll(body, context);
        var accessLogs = AccessLogReader.ReadAll(body, context);
        var forwarding = ReadForwarding(body);
        var limits = ReadLimits(body, out var protocolIdle);
        var timeouts = ReadTimeouts(body, protocolIdle);
        var upgrades = UpgradeConfigReader.ReadAll(body, "upgrade_configs", context);
        var tracing = TracingReader.Read(body, context, out var tracingOk);
        var localReply = body.Map("local_reply_config") is { } localReplyMap ? LocalReplyConfigReader.Read(localReplyMap, context) : null;
        var localReplyOk = localReply is not null || !body.Has("local_reply_config");
        if (statPrefix is null || routeConfig is null || httpFilters is null || accessLogs is null || upgrades is null || !tracingOk || !localReplyOk)
        {
            return null;
        }
        return new HttpConnectionManagerConfig(
            declaration.CanonicalName(Names, CanonicalName),
            codec ?? CodecType.Auto,
            statPrefix,
            routeConfig,
            httpFilters.Value,
            accessLogs.Value)
        {
            Forwarding = forwarding,
            Limits = limits,
            Timeouts = timeouts,
            UpgradeConfigs = upgrades.Value,
            Tracing = tracing,
            LocalReply = localReply,
        };
    }

    private static ForwardingConfig ReadForwarding(YamlMap body)
    {
        var defaults = ForwardingConfig.Default;
        return new ForwardingConfig(
            UseRemoteAddress: body.Boolean("use_remote_address") ?? defaults.UseRemoteAddress,
            XffNumTrustedHops: (int)Math.Min(body.Integer("xff_num_trusted_hops", 0, uint.MaxValue) ?? 0, int.MaxValue),
            SkipXffAppend: body.Boolean("skip_xff_append") ?? defaults.SkipXffAppend,
            GenerateRequestId: body.Boolean("generate_request_id") ?? defaults.GenerateRequestId,
            PreserveExternalRequestId: body.Boolean("preserve_external_request_id") ?? defaults.PreserveExternalRequestId,
            ServerName: body.Scalar("server_name"),
            ServerHeaderTransformation: body.Enum("server_header_transformation", ServerHeaderTransformations) ?? defaults.ServerHeaderTransformation,
            Proxy100Continue: body.Boolean("proxy_100_continue") ?? defaults.Proxy100Continue);
    }

    private static HttpLimitsConfig ReadLimits(YamlMap body, out TimeSpan? idleTimeout)
    {
        var defaults = HttpLimitsConfig.Default;
        // Envoy's bounds: 1 KiB to 8 MiB of request headers, at least one header.
        var headersKb = body.Integer("max_request_headers_kb", 1, 8192);
        idleTimeout = null;
        long? maxHeaders = null;
        HeadersWithUnderscoresAction? underscores = null;
        if (body.Map("common_http_protocol_options") is { } common)
        {
            idleTimeout = common.Duration("idle_timeout");
            maxHeaders = common.Integer("max_headers_count", 1, int.MaxValue);
            underscores = common.Enum("headers_with_underscores_action", UnderscoreActions);
        }
        return new HttpLimitsConfig(
            (int)(headersKb ?? defaults.MaxRequestHeadersKb),
            (int)(maxHeaders ?? defaults.MaxHeadersCount),
            underscores ?? defaults.HeadersWithUnderscores);
    }

    private static HttpTimeoutsConfig ReadTimeouts(YamlMap body, TimeSpan? idleTimeout)
    {
        var defaults = HttpTimeoutsConfig.Default;
        return new HttpTimeoutsConfig(
            StreamIdle: body.Duration("stream_idle_timeout") ?? defaults.StreamIdle,
            Request: body.Duration("request_timeout") ?? defaults.Request,
            RequestHeaders: body.Duration("request_headers_timeout") ?? defaults.RequestHeaders,
            Idle: idleTimeout ?? defaults.Idle,
            Drain: body.Duration("drain_timeout") ?? defaults.Drain,
            DelayedClose: body.Duration("delayed_close_timeout") ?? defaults.DelayedClose);
    }
}
