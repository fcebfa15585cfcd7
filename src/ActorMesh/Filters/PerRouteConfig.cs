using ActorMesh.Config;

namespace ActorMesh.Filters;

/// <summary>
/// A filter's <c>typed_per_filter_config</c> entries across a route configuration, each compiled once when the
/// factory is built. Keyed by instance: two routes with equal configs still get their own state (their own token
/// bucket), as in Envoy, while the routes of one virtual host share its entry.
/// </summary>
internal static class PerRouteConfig
{
    public static IReadOnlyDictionary<HttpFilterSettings, TCompiled> Compile<TConfig, TCompiled>(
        RouteConfiguration routes, string filterName, Func<TConfig, TCompiled> compile)
        where TConfig : HttpFilterSettings
    {
        var compiled = new Dictionary<HttpFilterSettings, TCompiled>(ReferenceEqualityComparer.Instance);
        var entries = routes.VirtualHosts.SelectMany(host => host.PerFilterConfig.Concat(host.Routes.SelectMany(route => route.PerFilterConfig)));
        foreach (var entry in entries)
        {
            if (entry.FilterName == filterName && entry.Settings is TConfig config && !compiled.ContainsKey(config))
            {
                compiled.Add(config, compile(config));
            }
        }
        return compiled;
    }
}
