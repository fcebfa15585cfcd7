namespace ActorMesh.Config;

/// <summary>
/// One <c>http_filters</c> entry, identified by <c>@type</c> (else its v2 or v3 name), and the chain rule Envoy
/// enforces: the router, the only terminal filter, comes last.
/// </summary>
internal static class HttpFilterReader
{
    private delegate HttpFilterSettings? SettingsReader(YamlMap body, ConfigReadContext context);

    /// <param name="PerRouteTypeUrls">The <c>@type</c>s its <c>typed_per_filter_config</c> entries may have.</param>
    private sealed record KnownFilter(
        HttpFilterKind Kind,
        string CanonicalName,
        HashSet<string> Names,
        HashSet<string> TypeUrls,
        SettingsReader? Read,
        HashSet<string> PerRouteTypeUrls,
        SettingsReader? ReadPerRoute);

    private const string TypePrefix = "type.googleapis.com/";

    private const string FilterConfigTypeUrl = TypePrefix + "envoy.config.route.v3.FilterConfig";

    private static readonly KnownFilter[] Filters =
    [
        new(HttpFilterKind.Router, HttpConnectionManagerReader.RouterName,
            Set(HttpConnectionManagerReader.RouterName, "envoy.router"),
            Set(TypePrefix + "envoy.extensions.filters.http.router.v3.Router", TypePrefix + "envoy.config.filter.http.router.v2.Router"),
            null, Set(), null),
        new(HttpFilterKind.Fault, FaultFilterReader.Name,
            Set(FaultFilterReader.Name, "envoy.fault"),
            Set(TypePrefix + "envoy.extensions.filters.http.fault.v3.HTTPFault", TypePrefix + "envoy.config.filter.http.fault.v2.HTTPFault"),
            FaultFilterReader.Read,
            Set(TypePrefix + "envoy.extensions.filters.http.fault.v3.HTTPFault", TypePrefix + "envoy.config.filter.http.fault.v2.HTTPFault"),
            FaultFilterReader.Read),
        new(HttpFilterKind.LocalRateLimit, LocalRateLimitReader.Name,
            Set(LocalRateLimitReader.Name),
            Set(TypePrefix + "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"),
            LocalRateLimitReader.Read,
            Set(TypePrefix + "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"),
            LocalRateLimitReader.Read),
        new(HttpFilterKind.Cors, CorsPolicyReader.Name,
            Set(CorsPolicyReader.Name, "envoy.cors"),
            Set(TypePrefix + "envoy.extensions.filters.http.cors.v3.Cors", TypePrefix + "envoy.config.filter.http.cors.v2.Cors"),
            (_, _) => new CorsFilterConfig(),
            Set(TypePrefix + "envoy.extensions.filters.http.cors.v3.CorsPolicy", TypePrefix + "envoy.config.route.v3.CorsPolicy"),
            CorsPolicyReader.Read),
        new(HttpFilterKind.HealthCheck, HealthCheckFilterReader.Name,
            Set(HealthCheckFilterReader.Name, "envoy.health_check"),
            Set(TypePrefix + "envoy.extensions.filters.http.health_check.v3.HealthCheck", TypePrefix + "envoy.config.filter.http.health_check.v2.HealthCheck"),
            HealthCheckFilterReader.Read, Set(), null),
        new(HttpFilterKind.Buffer, BufferFilterReader.Name,
            Set(BufferFilterReader.Name, "envoy.buffer"),
            Set(TypePrefix + "envoy.extensions.filters.http.buffer.v3.Buffer", TypePrefix + "envoy.config.filter.http.buffer.v2.Buffer"),
            BufferFilterReader.Read,
            Set(TypePrefix + "envoy.extensions.filters.http.buffer.v3.BufferPerRoute", TypePrefix + "envoy.config.filter.http.buffer.v2.BufferPerRoute"),
            BufferFilterReader.ReadPerRoute),
    ];

    private static HashSet<string> Set(params string[] values) => new(values, StringComparer.Ordinal);

    /// <summary>A filter name with v2 aliases folded into the v3 name (<c>envoy.fault</c> → <c>envoy.filters.http.fault</c>).</summary>
    public static string CanonicalName(string name) =>
        Filters.FirstOrDefault(f => f.Names.Contains(name))?.CanonicalName ?? name;

    public static EquatableArray<HttpFilterConfig>? ReadAll(YamlMap hcm, ConfigReadContext context)
    {
        var items = hcm.Sequence("http_filters");
        var filters = items.Select(item => Read(item, context)).ToArray();
        for (var i = 0; i < filters.Length; i++)
        {
            if (filters[i] is not { } filter)
            {
                continue;
            }
            var last = i == filters.Length - 1;
            if (filter.Kind == HttpFilterKind.Router && !last)
            {
                // Envoy's wording for a terminal filter anywhere but at the end of the chain.
                context.Error(items[i].Path, items[i].Node.Start, $"terminal filter named {filter.Name} of type {filter.Name} must be the last filter in a http filter chain");
                filters[i] = null;
            }
            else if (filter.Kind != HttpFilterKind.Router && last)
            {
                context.Error(items[i].Path, items[i].Node.Start, $"non-terminal filter named {filter.Name} of type {filter.Name} is the last filter in a http filter chain");
                filters[i] = null;
            }
        }
        return ReadResults.AllOrNull(filters);
    }

    private static HttpFilterConfig? Read(SequenceItem item, ConfigReadContext context)
    {
        if (context.AsMap(item.Node, item.Path) is not { } filter
            || FilterDeclarationReader.Read(filter, context) is not { } declaration)
        {
            return null;
        }
        if (Filters.FirstOrDefault(f => declaration.Is(f.TypeUrls, f.Names)) is not { } known)
        {
            context.Unsupported(declaration.IdentityPath, declaration.IdentityMark, $"unsupported http filter '{declaration.Identity}'");
            declaration.Body?.IgnoreRest();
            return null;
        }
        var name = declaration.CanonicalName(known.Names, known.CanonicalName);
        if (known.Read is null)
        {
            // No router option is supported yet, so anything in its body besides @type is reported as an unknown field.
            return new HttpFilterConfig(name, known.Kind);
        }
        // A filter written without a config body reads as one with every field unset.
        var body = declaration.Body ?? EmptyBody(filter, context);
        return known.Read(body, context) is { } settings ? new HttpFilterConfig(name, known.Kind) { Settings = settings } : null;
    }

    private static YamlMap EmptyBody(YamlMap filter, ConfigReadContext context) =>
        new(filter.ChildPath("typed_config"), filter.Start, context);

    /// <summary>
    /// <c>typed_per_filter_config</c>: each entry keyed by a filter name and identified by its <c>@type</c>. Empty when
    /// absent; null when an entry is invalid (already reported).
    /// </summary>
    public static EquatableArray<PerFilterConfig>? ReadPerFilterConfig(YamlMap owner, ConfigReadContext context)
    {
        if (owner.Map("typed_per_filter_config") is not { } map)
        {
            return EquatableArray<PerFilterConfig>.Empty;
        }
        var entries = new List<PerFilterConfig?>();
        foreach (var key in map.Keys())
        {
            if (map.Map(key) is not { } body)
            {
                entries.Add(null);
                continue;
            }
            var settings = ReadPerRoute(body, context, wrapped: false);
            entries.Add(settings is null ? null : new PerFilterConfig(CanonicalName(key), settings));
        }
        return ReadResults.AllOrNull(entries);
    }

    /// <summary>One entry by its <c>@type</c>, or Envoy's <c>FilterConfig</c> wrapper (<c>config</c>, <c>disabled</c>, <c>is_optional</c>).</summary>
    private static HttpFilterSettings? ReadPerRoute(YamlMap body, ConfigReadContext context, bool wrapped)
    {
        var typeUrl = body.RequiredScalar("@type");
        if (typeUrl is null)
        {
            body.IgnoreRest();
            return null;
        }
        if (typeUrl == FilterConfigTypeUrl && !wrapped)
        {
            var disabled = body.Boolean("disabled") ?? false;
            // is_optional only matters for filters Envoy may not know; every filter here is known or an error.
            body.Boolean("is_optional");
            if (body.Map("config") is { } inner)
            {
                return ReadPerRoute(inner, context, wrapped: true);
            }
            if (disabled)
            {
                return DisabledFilterConfig.Instance;
            }
            body.Error("requires config or disabled: true");
            return null;
        }
        var known = Filters.FirstOrDefault(f => f.PerRouteTypeUrls.Contains(typeUrl));
        if (known?.ReadPerRoute is null)
        {
            context.Unsupported(body.ChildPath("@type"), body.KeyMark("@type"), $"unsupported per-filter config '{typeUrl}'");
            body.IgnoreRest();
            return null;
        }
        return known.ReadPerRoute(body, context);
    }

    /// <summary>Envoy's <c>FractionalPercent</c>: <c>numerator</c> over <c>denominator</c> (HUNDRED by default).</summary>
    public static FractionalPercentConfig? ReadPercent(YamlMap percent)
    {
        var numerator = percent.Integer("numerator", 0, uint.MaxValue) ?? 0;
        var denominator = percent.Enum("denominator", RouteMatchReader.Denominators);
        return percent.Has("denominator") && denominator is null
            ? null
            : new FractionalPercentConfig(numerator, denominator ?? FractionDenominator.Hundred);
    }

    /// <summary>Reports each present key of a feature ActorMesh does not have, naming it, instead of "unknown field".</summary>
    public static bool RejectUnsupported(YamlMap map, ConfigReadContext context, params string[] keys)
    {
        var ok = true;
        foreach (var key in keys)
        {
            if (map.Has(key))
            {
                context.Unsupported(map.ChildPath(key), map.KeyMark(key), $"unsupported field '{key}'");
                ok = false;
            }
            map.Take(key);
        }
        return ok;
    }
}
