using ActorMesh.Config;
using ActorMesh.Runtime;
using ActorMesh.Stats;

namespace ActorMesh.Filters.LocalRateLimit;

/// <summary>
/// <c>envoy.filters.http.local_ratelimit</c>: the route's <c>typed_per_filter_config</c> (its own bucket) or the
/// filter's config decides; a request that passes allocates nothing.
/// </summary>
internal sealed class LocalRateLimitFilterFactory(string name, LocalRateLimitConfig config, RouteConfiguration routes, StatsStore stats, RuntimeLoader? runtime)
    : IHttpFilterFactory
{
    private readonly LocalRateLimitPolicy _policy = new(config, stats);
    private readonly IReadOnlyDictionary<HttpFilterSettings, LocalRateLimitPolicy> _perRoute =
        PerRouteConfig.Compile<LocalRateLimitConfig, LocalRateLimitPolicy>(routes, name, c => new LocalRateLimitPolicy(c, stats));

    public string Name { get; } = name;

    public HttpFilter? CreateFilter(in HttpFilterContext context)
    {
        var policy = context.Route?.FilterConfig(Name) is { } routeConfig && _perRoute.TryGetValue(routeConfig, out var routePolicy)
            ? routePolicy
            : _policy;
        return policy.Check(context, runtime);
    }
}
