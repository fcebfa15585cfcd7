using ActorMesh.Config;
using ActorMesh.Runtime;
using ActorMesh.Stats;

namespace ActorMesh.Filters.Cors;

/// <summary>
/// <c>envoy.filters.http.cors</c>: reads the route's and the virtual host's <c>CorsPolicy</c>. A request without an
/// <c>Origin</c>, on a route without a policy, or from an origin not allowed gets no filter; origins are counted in
/// <c>http.&lt;stat_prefix&gt;.cors.origin_valid</c>/<c>origin_invalid</c>.
/// </summary>
internal sealed class CorsFilterFactory : IHttpFilterFactory
{
    private readonly IReadOnlyDictionary<HttpFilterSettings, CorsPolicy> _policies;
    private readonly RuntimeLoader? _runtime;
    private readonly Counter _originValid;
    private readonly Counter _originInvalid;

    public CorsFilterFactory(string name, RouteConfiguration routes, StatsScope hcmScope, RuntimeLoader? runtime)
    {
        Name = name;
        _policies = PerRouteConfig.Compile<CorsPolicyConfig, CorsPolicy>(routes, name, c => new CorsPolicy(c));
        _runtime = runtime;
        _originValid = hcmScope.Counter("cors.origin_valid");
        _originInvalid = hcmScope.Counter("cors.origin_invalid");
    }

    public string Name { get; }

    public HttpFilter? CreateFilter(in HttpFilterContext context)
    {
        if (context.Request.Headers.Get("origin") is not { Length: > 0 } origin || context.Route is not { } route)
        {
            return null;
        }
        var routePolicy = Compiled(route.RouteFilterConfig(Name));
        var hostPolicy = Compiled(route.VirtualHostFilterConfig(Name));
        // Envoy asks the first level that has a policy whether CORS is on (or shadowed) at all.
        if ((routePolicy ?? hostPolicy) is not { } first)
        {
            return null;
        }
        var enabled = first.Enabled(_runtime);
        if (!enabled && !first.ShadowEnabled(_runtime))
        {
            return null;
        }
        if (!IsOriginAllowed(routePolicy?.AllowOrigins ?? hostPolicy?.AllowOrigins, origin))
        {
            _originInvalid.Inc();
            return null;
        }
        _originValid.Inc();
        if (!enabled)
        {
            return null;
        }
        var request = context.Request;
        var preflight = request.Method == "OPTIONS" && request.Headers.Get("access-control-request-method") is { Length: > 0 };
        var resolved = new CorsResolved(
            First(routePolicy, hostPolicy, c => c.AllowMethods),
            First(routePolicy, hostPolicy, c => c.AllowHeaders),
            First(routePolicy, hostPolicy, c => c.ExposeHeaders),
            First(routePolicy, hostPolicy, c => c.MaxAge),
            routePolicy?.Config.AllowCredentials ?? hostPolicy?.Config.AllowCredentials ?? false);
        return new CorsFilter(origin, preflight, resolved);
    }

    private CorsPolicy? Compiled(HttpFilterSettings? config) =>
        config is not null && _policies.TryGetValue(config, out var policy) ? policy : null;

    /// <summary>Envoy's <c>isOriginAllowed</c>: a matcher that matches the literal <c>*</c> allows every origin.</summary>
    private static bool IsOriginAllowed(StringMatcher[]? matchers, string origin)
    {
        if (matchers is null)
        {
            return false;
        }
        foreach (var matcher in matchers)
        {
            if (matcher.Matches("*") || matcher.Matches(origin))
            {
                return true;
            }
        }
        return false;
    }

    private static string? First(CorsPolicy? route, CorsPolicy? host, Func<CorsPolicyConfig, string?> field) =>
        route is not null && field(route.Config) is { Length: > 0 } value ? value : host is null ? null : field(host.Config);
}
