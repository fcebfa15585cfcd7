using ActorMesh.Config;
using ActorMesh.Runtime;
using ActorMesh.Stats;

namespace ActorMesh.Filters.Fault;

/// <summary>
/// <c>envoy.filters.http.fault</c>: decides per request, from the route's <c>HTTPFault</c> or the filter's, whether it
/// is delayed or aborted; a request that is neither gets no filter. <c>max_active_faults</c> caps the faults in
/// flight at once across the connection manager (<c>fault.faults_overflow</c> counts the ones turned away).
/// </summary>
internal sealed class FaultFilterFactory : IHttpFilterFactory
{
    private readonly FaultPolicy _policy;
    private readonly IReadOnlyDictionary<HttpFilterSettings, FaultPolicy> _perRoute;
    private readonly FaultStats _stats;
    private readonly RuntimeLoader? _runtime;

    public FaultFilterFactory(string name, FaultConfig config, RouteConfiguration routes, StatsScope hcmScope, RuntimeLoader? runtime)
    {
        Name = name;
        _policy = new FaultPolicy(config);
        _perRoute = PerRouteConfig.Compile<FaultConfig, FaultPolicy>(routes, name, c => new FaultPolicy(c));
        _stats = new FaultStats(hcmScope);
        _runtime = runtime;
    }

    public string Name { get; }

    public HttpFilter? CreateFilter(in HttpFilterContext context)
    {
        var policy = context.Route?.FilterConfig(Name) is { } routeConfig && _perRoute.TryGetValue(routeConfig, out var routePolicy)
            ? routePolicy
            : _policy;
        if (!policy.Applies(context))
        {
            return null;
        }
        var headers = context.Request.Headers;
        var delay = policy.Delay(headers, _runtime);
        var abort = policy.Abort(headers, _runtime);
        if (delay is null && abort is null)
        {
            return null;
        }
        // Envoy's tryIncActiveFaults: not atomic with the check, so a burst may overshoot by a few, as in Envoy.
        if (policy.MaxActiveFaults(_runtime) is { } max && _stats.ActiveFaults.Value >= max)
        {
            _stats.FaultsOverflow.Inc();
            return null;
        }
        _stats.ActiveFaults.Inc();
        return new FaultFilter(_stats, delay, abort);
    }
}
