using ActorMesh.Config;
using ActorMesh.Filters.Buffer;
using ActorMesh.Filters.Cors;
using ActorMesh.Filters.Fault;
using ActorMesh.Filters.HealthCheck;
using ActorMesh.Filters.LocalRateLimit;
using ActorMesh.Runtime;
using ActorMesh.Stats;

namespace ActorMesh.Filters;

/// <summary>
/// Builds the factories of a connection manager's <c>http_filters</c>, in order, once per config version. The router
/// is not among them: the connection manager stage routes once the chain lets the request through.
/// </summary>
public static class HttpFilterChainFactory
{
    /// <param name="hcmScope">The connection manager's scope (<c>http.&lt;stat_prefix&gt;.</c>), where fault and cors stats live.</param>
    /// <param name="healthCheckFailed">Whether the admin has failed health checks (<c>/healthcheck/fail</c>).</param>
    public static IReadOnlyList<IHttpFilterFactory> Create(
        HttpConnectionManagerConfig config, StatsScope hcmScope, StatsStore stats, RuntimeLoader? runtime, Func<bool> healthCheckFailed)
    {
        var routes = config.RouteConfig;
        var factories = new List<IHttpFilterFactory>();
        foreach (var filter in config.HttpFilters)
        {
            IHttpFilterFactory? factory = filter.Settings switch
            {
                FaultConfig fault => new FaultFilterFactory(filter.Name, fault, routes, hcmScope, runtime),
                LocalRateLimitConfig rateLimit => new LocalRateLimitFilterFactory(filter.Name, rateLimit, routes, stats, runtime),
                CorsFilterConfig => new CorsFilterFactory(filter.Name, routes, hcmScope, runtime),
                HealthCheckFilterConfig healthCheck => new HealthCheckFilterFactory(filter.Name, healthCheck, healthCheckFailed),
                BufferConfig buffer => new BufferFilterFactory(filter.Name, buffer),
                _ => null,
            };
            if (factory is not null)
            {
                factories.Add(factory);
            }
        }
        return factories;
    }

    /// <summary>
    /// The top-level stats scopes the filters create outside the connection manager's (Envoy's local rate limit
    /// stats, per <c>stat_prefix</c> at the filter and in routes), so the listener manager flushes and prunes them.
    /// </summary>
    public static IReadOnlyList<string> OwnScopePrefixes(HttpConnectionManagerConfig config)
    {
        var routes = config.RouteConfig.VirtualHosts
            .SelectMany(host => host.PerFilterConfig.Concat(host.Routes.SelectMany(route => route.PerFilterConfig)))
            .Select(entry => entry.Settings);
        return config.HttpFilters.Where(f => f.Kind == HttpFilterKind.LocalRateLimit).Select(f => f.Settings)
            .Concat(routes)
            .OfType<LocalRateLimitConfig>()
            .Select(c => LocalRateLimitStats.ScopePrefix(c.StatPrefix))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }
}
