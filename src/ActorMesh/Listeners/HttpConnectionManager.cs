using ActorMesh.AccessLog;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;
using ActorMesh.Stats;
using ActorMesh.Upstream;

namespace ActorMesh.Listeners;

/// <summary>
/// An HTTP connection manager ready to serve: compiled routes, the clusters they name, its stats. Immutable; every
/// connection of the listener reads the one it was started with.
/// </summary>
public sealed class HttpConnectionManager
{
    public HttpConnectionManager(
        HttpConnectionManagerConfig config,
        IReadOnlyDictionary<string, UpstreamCluster> clusters,
        HttpConnectionManagerStats stats,
        string serverName,
        Http1Limits limits)
    {
        Config = config;
        Routes = new RouteTable(config.RouteConfig);
        Clusters = clusters;
        Stats = stats;
        ServerName = serverName;
        Limits = limits;
    }

    public HttpConnectionManagerConfig Config { get; }
    public RouteTable Routes { get; }
    public IReadOnlyDictionary<string, UpstreamCluster> Clusters { get; }
    public HttpConnectionManagerStats Stats { get; }
    public string ServerName { get; }
    public Http1Limits Limits { get; }

    /// <summary>Envoy's <c>delayed_close_timeout</c> default: how long a closing connection waits for the client's FIN.</summary>
    public TimeSpan DelayedCloseTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The configured <c>access_log</c> entries, in config order. At the end of each exchange the request path calls
    /// <see cref="AccessLogger.Log"/> on each with the exchange's finished <see cref="StreamInfo"/>.
    /// </summary>
    public IReadOnlyList<AccessLogger> AccessLogs { get; init; } = [];

    public static string ScopePrefix(string statPrefix) => $"http.{statPrefix}.";
}
