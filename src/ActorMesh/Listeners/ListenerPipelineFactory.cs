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
public sealed record ListenerPipeline(ConnectionPipeline? Pipeline, string? StatsPrefix, IReadOnlyList<IActorRef> Exporters);

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

    public ListenerPipelineFactory(StatsStore stats, AccessLogManager accessLogs, TracingManager tracing, string serverName)
    {
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
        var hcm = new HttpConnectionManager(hcmConfig, clusters, new HttpConnectionManagerStats(_stats.GetOrCreate(prefix)), _serverName)
        {
            AccessLogs = _accessLogs.CreateLoggers(hcmConfig.AccessLogs),
            Tracer = _tracing.CreateTracer(hcmConfig.Tracing, clusters, exporters),
        };
        ConnectionPipeline pipeline = addresses => Flow.Create<Akka.IO.ByteString>()
            .Via(new Http1RequestDecoder(hcm.Limits, hcmConfig.Timeouts.RequestHeaders))
            .ViaMaterialized(new HttpConnectionManagerStage(hcm, addresses), Akka.Streams.Dsl.Keep.Right);
        return new ListenerPipeline(pipeline, prefix, exporters);
    }

    public static HttpConnectionManagerConfig? ConnectionManagerOf(ListenerConfig listener) =>
        listener.FilterChains.SelectMany(fc => fc.Filters).OfType<HttpConnectionManagerConfig>().FirstOrDefault();

    /// <summary>The clusters a listener's snapshot routes or reports to: a new instance of any of them means a new snapshot.</summary>
    public static IEnumerable<string> ReferencedClusters(ListenerConfig listener)
    {
        var hcm = ConnectionManagerOf(listener);
        if (hcm is null)
        {
            yield break;
        }
        foreach (var route in hcm.RouteConfig.VirtualHosts.SelectMany(v => v.Routes))
        {
            yield return route.Action.Cluster;
        }
        if (hcm.Tracing is { } tracing)
        {
            yield return tracing.Provider.CollectorCluster;
        }
    }
}
