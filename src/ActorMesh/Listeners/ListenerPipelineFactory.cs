using ActorMesh.AccessLog;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Stats;
using ActorMesh.Tracing;
using ActorMesh.Upstream;
using Akka.Actor;
using Akka.Streams.Dsl;

namespace ActorMesh.Listeners;

/// <summary>
/// One listener's pipeline for one config version: the connection manager snapshot its new connections run, and the
/// tracer exporters that snapshot owns (stopped when a later version replaces it).
/// </summary>
public sealed record ListenerPipeline(ConnectionPipeline? Pipeline, string? StatsPrefix, IReadOnlyList<IActorRef> Exporters)
{
    /// <summary>Top-level scopes the snapshot's HTTP filters own (<c>&lt;stat_prefix&gt;.http_local_rate_limit.</c>).</summary>
    public IReadOnlyList<string> FilterStatsPrefixes { get; init; } = [];
}

/// <summary>
/// Builds a listener's <see cref="ConnectionPipeline"/> from its config and the clusters of the version being
/// applied: an immutable <see cref="HttpConnectionManager"/> (routes, clusters, access loggers, tracer) that every
/// connection accepted with it keeps until it closes.
/// </summary>
public sealed class ListenerPipelineFactory
{
    private readonly StatsStore _stats;
    private readonly AccessLogManager _accessLogs;
    private readonly TracingManager _tracing;
    private readonly string _serverName;
    private readonly Runtime.RuntimeLoader _runtime;
    private readonly Func<bool> _healthCheckFailed;

    /// <param name="runtime">The node's one runtime: what admin <c>/runtime_modify</c> writes, route <c>runtime_fraction</c> reads.</param>
    /// <param name="healthCheckFailed">The admin's <c>/healthcheck/fail</c> flag, read by the health check filter; never failed when null.</param>
    public ListenerPipelineFactory(StatsStore stats, AccessLogManager accessLogs, TracingManager tracing, string serverName, Runtime.RuntimeLoader runtime, Func<bool>? healthCheckFailed = null)
    {
        _runtime = runtime;
        _healthCheckFailed = healthCheckFailed ?? (static () => false);
        _stats = stats;
        _accessLogs = accessLogs;
        _tracing = tracing;
        _serverName = serverName;
    }

    public ListenerPipeline Build(ListenerConfig listener, IReadOnlyDictionary<string, UpstreamCluster> clusters)
    {
        var hcmConfig = ConnectionManagerOf(listener);
        if (hcmConfig is null)
        {
            return new ListenerPipeline(null, null, []);
        }
        var prefix = HttpConnectionManager.ScopePrefix(hcmConfig.StatPrefix);
        var exporters = new List<IActorRef>();
        var scope = _stats.GetOrCreate(prefix);
        var hcm = new HttpConnectionManager(hcmConfig, clusters, new HttpConnectionManagerStats(scope), _serverName)
        {
            Filters = Filters.HttpFilterChainFactory.Create(hcmConfig, scope, _stats, _runtime, _healthCheckFailed),
            AccessLogs = _accessLogs.CreateLoggers(hcmConfig.AccessLogs, _runtime),
            LocalReply = new LocalReplyRewriter(hcmConfig.LocalReply, _runtime),
            Tracer = _tracing.CreateTracer(hcmConfig.Tracing, clusters, exporters),
            Runtime = _runtime,
            BufferLimitBytes = listener.PerConnectionBufferLimitBytes,
        };
        ConnectionPipeline pipeline = addresses => Flow.Create<Akka.IO.ByteString>()
            .Via(new Http1RequestDecoder(hcm.Limits, hcmConfig.Timeouts.RequestHeaders))
            .ViaMaterialized(new HttpConnectionManagerStage(hcm, addresses), Akka.Streams.Dsl.Keep.Right);
        return new ListenerPipeline(pipeline, prefix, exporters) { FilterStatsPrefixes = Filters.HttpFilterChainFactory.OwnScopePrefixes(hcmConfig) };
    }

    public static HttpConnectionManagerConfig? ConnectionManagerOf(ListenerConfig listener) =>
        listener.FilterChains.SelectMany(fc => fc.Filters).OfType<HttpConnectionManagerConfig>().FirstOrDefault();

    /// <summary>
    /// The clusters a listener's snapshot routes, mirrors or reports to: a new instance of any of them means a new
    /// snapshot. Null when a route names its cluster in a request header, so any cluster may be the one.
    /// </summary>
    public static IReadOnlyCollection<string>? ReferencedClusters(ListenerConfig listener)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var hcm = ConnectionManagerOf(listener);
        if (hcm is null)
        {
            return names;
        }
        foreach (var action in hcm.RouteConfig.VirtualHosts.SelectMany(v => v.Routes).Select(r => r.Action).OfType<RouteActionConfig>())
        {
            if (action.ClusterHeader is not null || action.MirrorPolicies.Any(m => m.ClusterHeader is not null))
            {
                return null;
            }
            if (action.Cluster.Length > 0)
            {
                names.Add(action.Cluster);
            }
            names.UnionWith(action.WeightedClusters?.Clusters.Select(c => c.Name) ?? []);
            names.UnionWith(action.MirrorPolicies.Select(m => m.Cluster).OfType<string>());
        }
        if (hcm.Tracing is { } tracing)
        {
            names.Add(tracing.Provider.CollectorCluster);
        }
        return names;
    }
}
