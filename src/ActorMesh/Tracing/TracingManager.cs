using ActorMesh.Config;
using ActorMesh.Stats;
using ActorMesh.Upstream;
using Akka.Actor;

namespace ActorMesh.Tracing;

/// <summary>
/// Builds each HTTP connection manager's <see cref="HttpTracer"/>: a span queue and a <see cref="SpanExporterActor"/>
/// per tracer, and one stats scope per provider (<c>tracing.zipkin.</c>, <c>tracing.opentelemetry.</c>). Lives as
/// long as the node; each exporter belongs to the connection manager snapshot it was built for, whose owner stops it
/// when a new config version replaces that snapshot. The stats scope actors stop with the node's other actors.
/// </summary>
public sealed class TracingManager
{
    /// <summary>Envoy's Zipkin report timeout (runtime <c>tracing.zipkin.request_timeout</c>, 5000 ms).</summary>
    public static readonly TimeSpan ZipkinRequestTimeout = TimeSpan.FromSeconds(5);

    private readonly IActorRefFactory _actors;
    private readonly StatsStore _stats;
    private readonly string _nodeId;
    private readonly string _localServiceName;
    private readonly Dictionary<string, TracerStats> _scopes = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _owned = [];
    private static long _names;

    /// <param name="nodeId">The <c>node_id</c> tag.</param>
    /// <param name="localServiceName">Zipkin's <c>localEndpoint.serviceName</c> (Envoy's local cluster name).</param>
    public TracingManager(IActorRefFactory actors, StatsStore stats, string nodeId, string localServiceName)
    {
        _actors = actors;
        _stats = stats;
        _nodeId = nodeId;
        _localServiceName = localServiceName;
    }

    /// <summary>The provider stats scope actors.</summary>
    public IReadOnlyList<IActorRef> Actors => _owned;

    /// <summary>
    /// The tracer for a connection manager's <c>tracing</c> block; null (nothing on the request path) without one.
    /// Its exporter, which reports to the collector cluster of <paramref name="clusters"/>, is added to
    /// <paramref name="exporters"/>.
    /// </summary>
    public HttpTracer? CreateTracer(TracingConfig? config, IReadOnlyDictionary<string, UpstreamCluster> clusters, ICollection<IActorRef> exporters)
    {
        if (config is null)
        {
            return null;
        }
        var cluster = clusters[config.Provider.CollectorCluster];
        switch (config.Provider)
        {
            case OpenTelemetryTracerConfig otel:
            {
                var uri = new Uri(otel.HttpService.Uri);
                var target = new CollectorTarget(cluster.Name, uri.PathAndQuery, uri.Authority, otel.HttpService.Timeout,
                    otel.HttpService.RequestHeadersToAdd.Select(h => KeyValuePair.Create(h.Key, h.Value)).ToArray());
                return Build(config, new OpenTelemetryDriver(), new OtlpEncoder(otel.ServiceName), cluster, target, zipkin: false, exporters);
            }
            case ZipkinTracerConfig zipkin:
            {
                // Envoy sends the cluster's name as Host unless collector_hostname says otherwise.
                var target = new CollectorTarget(cluster.Name, zipkin.CollectorEndpoint, zipkin.CollectorHostname ?? cluster.Name,
                    ZipkinRequestTimeout, []);
                return Build(config, new ZipkinDriver(zipkin.SharedSpanContext, zipkin.TraceId128Bit),
                    new ZipkinJsonEncoder(_localServiceName, zipkin.TraceId128Bit), cluster, target, zipkin: true, exporters);
            }
            default:
                throw new ArgumentException($"unknown tracer {config.Provider.Name}", nameof(config));
        }
    }

    private HttpTracer Build(TracingConfig config, TracerDriver driver, ISpanEncoder encoder, UpstreamCluster cluster, CollectorTarget target, bool zipkin, ICollection<IActorRef> exporters)
    {
        var queue = new SpanQueue(StatsFor(zipkin));
        exporters.Add(_actors.ActorOf(SpanExporterActor.Props(queue, encoder, cluster, target), UniqueName(zipkin ? "tracer-zipkin" : "tracer-opentelemetry")));
        return new HttpTracer(config, driver, queue, _nodeId);
    }

    private TracerStats StatsFor(bool zipkin)
    {
        var prefix = zipkin ? TracerStats.ZipkinPrefix : TracerStats.OpenTelemetryPrefix;
        if (!_scopes.TryGetValue(prefix, out var stats))
        {
            stats = new TracerStats(_stats.GetOrCreate(prefix), zipkin);
            _scopes.Add(prefix, stats);
            _owned.Add(_actors.ActorOf(StatsScopeActor.Props(_stats, prefix), UniqueName("stats-" + prefix.TrimEnd('.').Replace('.', '-'))));
        }
        return stats;
    }

    private static string UniqueName(string name) => name + "-" + Interlocked.Increment(ref _names);
}
