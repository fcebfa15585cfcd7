namespace ActorMesh.Config;

/// <summary>Envoy's HTTP connection manager with its inline route configuration, HTTP filters and access logs.</summary>
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

    private static readonly HashSet<string> RouterTypeUrls = new(StringComparer.Ordinal)
    {
        "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
        "type.googleapis.com/envoy.config.filter.http.router.v2.Router",
    };

    private static readonly HashSet<string> RouterNames = new(StringComparer.Ordinal)
    {
        RouterName,
        "envoy.router",
    };

    private static readonly Dictionary<string, CodecType> Codecs = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AUTO"] = CodecType.Auto,
        ["HTTP1"] = CodecType.Http1,
    };

    public static bool Identifies(FilterDeclaration declaration) => declaration.Is(TypeUrls, Names);

    public static HttpConnectionManagerConfig? Read(FilterDeclaration declaration, YamlMap body, ConfigReadContext context)
    {
        var codec = body.Enum("codec_type", Codecs);
        var statPrefix = body.RequiredScalar("stat_prefix");
        var routeConfig = body.RequiredMap("route_config", "rds", "scoped_routes") is { } routes
            ? RouteConfigurationReader.Read(routes, context)
            : null;
        var httpFilters = ReadResults.AllOrNull(body.Sequence("http_filters").Select(filter => ReadHttpFilter(filter, context)));
        var accessLogs = AccessLogReader.ReadAll(body, context);
        if (statPrefix is null || routeConfig is null || httpFilters is null || accessLogs is null)
        {
            return null;
        }
        return new HttpConnectionManagerConfig(
            declaration.CanonicalName(Names, CanonicalName),
            codec ?? CodecType.Auto,
            statPrefix,
            routeConfig,
            httpFilters.Value,
            accessLogs.Value);
    }

    private static HttpFilterConfig? ReadHttpFilter(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } filter
            || FilterDeclarationReader.Read(filter, context) is not { } declaration)
        {
            return null;
        }
        if (!declaration.Is(RouterTypeUrls, RouterNames))
        {
            context.Unsupported(declaration.IdentityPath, declaration.IdentityMark, $"unsupported http filter '{declaration.Identity}'");
            declaration.Body?.IgnoreRest();
            return null;
        }

        // No router option is supported yet, so anything in its body besides @type is reported as an unknown field.
        return new HttpFilterConfig(declaration.CanonicalName(RouterNames, RouterName), HttpFilterKind.Router);
    }
}
