namespace ActorMesh.Config;

/// <summary>
/// Envoy's <c>CorsPolicy</c>: the v3 per-filter config (<c>envoy.extensions.filters.http.cors.v3.CorsPolicy</c>) and
/// the older <c>cors</c> field of virtual hosts and route actions, which also knows v2's <c>allow_origin</c>,
/// <c>allow_origin_regex</c> and <c>enabled</c>.
/// </summary>
internal static class CorsPolicyReader
{
    public const string Name = "envoy.filters.http.cors";

    public static HttpFilterSettings? Read(YamlMap body, ConfigReadContext context)
    {
        var ok = HttpFilterReader.RejectUnsupported(body, context, "allow_private_network_access", "forward_not_matching_preflights");
        var origins = new List<StringMatcherConfig>();
        var anyOrigin = body.Has("allow_origin_string_match") || body.Has("allow_origin") || body.Has("allow_origin_regex");
        foreach (var item in body.Sequence("allow_origin_string_match"))
        {
            if (context.AsMap(item.Node, item.Path) is { } matcherMap && StringMatcherReader.Read(matcherMap) is { } matcher)
            {
                origins.Add(matcher);
            }
            else
            {
                ok = false;
            }
        }
        foreach (var item in body.Sequence("allow_origin"))
        {
            if (context.AsScalar(item.Node, item.Path) is { } exact)
            {
                origins.Add(new StringMatcherConfig(StringMatchKind.Exact, exact, false));
            }
        }
        foreach (var item in body.Sequence("allow_origin_regex"))
        {
            if (context.AsScalar(item.Node, item.Path) is not { } regex)
            {
                continue;
            }
            if (StringMatcherReader.IsValidRe2(body, "allow_origin_regex", regex))
            {
                origins.Add(new StringMatcherConfig(StringMatchKind.SafeRegex, regex, false));
            }
            else
            {
                ok = false;
            }
        }
        var enabled = body.Map("filter_enabled") is { } e ? RouteMatchReader.ReadRuntimeFraction(e) : null;
        var shadow = body.Map("shadow_enabled") is { } s ? RouteMatchReader.ReadRuntimeFraction(s) : null;
        var legacyEnabled = body.Boolean("enabled") ?? true;
        var policy = new CorsPolicyConfig
        {
            AllowOrigins = anyOrigin ? origins.ToEquatableArray() : null,
            AllowMethods = body.Scalar("allow_methods"),
            AllowHeaders = body.Scalar("allow_headers"),
            ExposeHeaders = body.Scalar("expose_headers"),
            MaxAge = body.Scalar("max_age"),
            AllowCredentials = body.Boolean("allow_credentials"),
            FilterEnabled = enabled,
            ShadowEnabled = shadow,
            LegacyEnabled = legacyEnabled,
        };
        var fractionsOk = (!body.Has("filter_enabled") || enabled is not null) && (!body.Has("shadow_enabled") || shadow is not null);
        return ok && fractionsOk ? policy : null;
    }
}
