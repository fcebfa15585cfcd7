using ActorMesh.AccessLog;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;
using ActorMesh.Runtime;
using ActorMesh.Stats;
using ActorMesh.Tracing;
using ActorMesh.Upstream;

namespace ActorMesh.Listeners;

/// <summary>
/// An HTTP connection manager ready to serve: compiled routes, the clusters they name, its settings and stats.
/// Immutable; every connection of the listener reads the one it was started with.
/// </summary>
public sealed class HttpConnectionManager
{
    /// <param name="defaultServerName">The <c>server</c> header when the config sets no <c>server_name</c>.</param>
    public HttpConnectionManager(
        HttpConnectionManagerConfig config,
        IReadOnlyDictionary<string, UpstreamCluster> clusters,
        HttpConnectionManagerStats stats,
        string defaultServerName)
    {
        Config = config;
        Routes = new RouteTable(config.RouteConfig);
        Clusters = clusters;
        Stats = stats;
        Forwarding = config.Forwarding;
        Timeouts = config.Timeouts;
        ServerName = config.Forwarding.ServerName ?? defaultServerName;
        Limits = Http1Limits.Default with
        {
            MaxHeadersBytes = config.Limits.MaxRequestHeadersKb * 1024,
            MaxHeadersCount = config.Limits.MaxHeadersCount,
        };
    }

    public HttpConnectionManagerConfig Config { get; }
    public RouteTable Routes { get; }
    public IReadOnlyDictionary<string, UpstreamCluster> Clusters { get; }
    public HttpConnectionManagerStats Stats { get; }
    public ForwardingConfig Forwarding { get; }
    public HttpTimeoutsConfig Timeouts { get; }
    public string ServerName { get; }
    public Http1Limits Limits { get; }

    /// <summary>The server header for local replies: none when the config passes the upstream's through untouched.</summary>
    public string? LocalReplyServerName =>
        Forwarding.ServerHeaderTransformation == ServerHeaderTransformation.PassThrough ? null : ServerName;

    /// <summary>
    /// Whether an <c>Upgrade</c> of <paramref name="type"/> may pass on <paramref name="route"/>: a route's own
    /// upgrade config for the type wins over the connection manager's, as in Envoy.
    /// </summary>
    public bool UpgradeEnabled(string type, RouteActionConfig route)
    {
        foreach (var upgrade in route.UpgradeConfigs)
        {
            if (string.Equals(upgrade.UpgradeType, type, StringComparison.OrdinalIgnoreCase))
            {
                return upgrade.Enabled;
            }
        }
        foreach (var upgrade in Config.UpgradeConfigs)
        {
            if (string.Equals(upgrade.UpgradeType, type, StringComparison.OrdinalIgnoreCase))
            {
                return upgrade.Enabled;
            }
        }
        return false;
    }

    /// <summary>
    /// The configured <c>access_log</c> entries, in config order. At the end of each exchange the request path calls
    /// <see cref="AccessLogger.Log"/> on each with the exchange's finished <see cref="StreamInfo"/>.
    /// </summary>
    public IReadOnlyList<AccessLogger> AccessLogs { get; init; } = [];

    /// <summary>
    /// The listener's <c>per_connection_buffer_limit_bytes</c>: how much of a request body is kept for replay on a
    /// retry; a request whose body grows past it is no longer retried.
    /// </summary>
    public int BufferLimitBytes { get; init; } = ListenerConfig.DefaultPerConnectionBufferLimitBytes;

    /// <summary>The node's runtime, read by <c>runtime_fraction</c>; null: every fraction keeps its default.</summary>
    public RuntimeLoader? Runtime { get; init; }

    /// <summary>
    /// The <c>http_filters</c> before the router, in config order; the stage runs them on each request once its route
    /// is chosen and before it goes upstream.
    /// </summary>
    public IReadOnlyList<Filters.IHttpFilterFactory> Filters { get; init; } = [];

    /// <summary>The <c>tracing</c> block's tracer; null when the connection manager does not trace.</summary>
    public HttpTracer? Tracer { get; init; }

    /// <summary><c>local_reply_config</c>: what every local reply passes through before it is written.</summary>
    public LocalReplyRewriter LocalReply { get; init; } = LocalReplyRewriter.Default;

    public static string ScopePrefix(string statPrefix) => $"http.{statPrefix}.";
}
