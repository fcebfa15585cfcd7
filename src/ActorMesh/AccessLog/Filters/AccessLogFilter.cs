using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Runtime;

namespace ActorMesh.AccessLog.Filters;

/// <summary>
/// Envoy's <c>AccessLog::Filter</c>: decides on an exchange from its <see cref="StreamInfo"/> (request head, response
/// code and headers, flags, duration) without allocating. Compiled once per config version and immutable, so every
/// connection shares it; an access log consults it before formatting a line, a local reply mapper before rewriting.
/// </summary>
public abstract class AccessLogFilter
{
    private protected AccessLogFilter() { }

    public abstract bool Evaluate(StreamInfo info);

    /// <param name="runtime">Read by the comparison and runtime filters' runtime keys; null: every key keeps its default.</param>
    public static AccessLogFilter Create(AccessLogFilterConfig config, RuntimeLoader? runtime) => config switch
    {
        StatusCodeFilterConfig status => new StatusCodeFilter(status.Comparison, runtime),
        DurationFilterConfig duration => new DurationFilter(duration.Comparison, runtime),
        NotHealthCheckFilterConfig => NotHealthCheckFilter.Instance,
        TraceableFilterConfig => TraceableFilter.Instance,
        RuntimeFilterConfig sampled => new RuntimeFilter(sampled, runtime),
        AndFilterConfig all => new AndFilter(all.Filters.Select(f => Create(f, runtime)).ToArray()),
        OrFilterConfig any => new OrFilter(any.Filters.Select(f => Create(f, runtime)).ToArray()),
        HeaderFilterConfig header => new HeaderFilter(header.Header),
        ResponseFlagFilterConfig flags => new ResponseFlagFilter(flags.Flags),
        _ => throw new ArgumentException($"unknown access log filter {config.GetType().Name}", nameof(config)),
    };
}
