namespace ActorMesh.Config;

/// <summary>Envoy's <c>Listener</c>. Name is generated (<c>listener_N</c>) where the file gives none, as v2 files often do.</summary>
public sealed record ListenerConfig(string Name, SocketAddressConfig Address, EquatableArray<FilterChainConfig> FilterChains)
{
    /// <summary>Envoy's default <c>per_connection_buffer_limit_bytes</c> (1 MiB).</summary>
    public const int DefaultPerConnectionBufferLimitBytes = 1024 * 1024;

    /// <summary>Envoy's <c>per_connection_buffer_limit_bytes</c>: the most a connection buffers in either direction.</summary>
    public int PerConnectionBufferLimitBytes { get; init; } = DefaultPerConnectionBufferLimitBytes;
}

public sealed record FilterChainConfig(EquatableArray<NetworkFilterConfig> Filters);

/// <summary>A network filter in a filter chain; the only one supported so far is the HTTP connection manager.</summary>
// Serialization only (the admin's /config_dump): config is never deserialized from JSON.
[System.Text.Json.Serialization.JsonDerivedType(typeof(HttpConnectionManagerConfig), "envoy.filters.network.http_connection_manager")]
public abstract record NetworkFilterConfig(string Name);

public enum CodecType
{
    Auto,
    Http1,
}

/// <summary>
/// Envoy's <c>envoy.filters.network.http_connection_manager</c> with an inline <c>route_config</c> and its
/// <c>access_log</c> entries.
/// </summary>
public sealed record HttpConnectionManagerConfig(
    string Name,
    CodecType CodecType,
    string StatPrefix,
    RouteConfiguration RouteConfig,
    EquatableArray<HttpFilterConfig> HttpFilters,
    EquatableArray<AccessLogConfig> AccessLogs) : NetworkFilterConfig(Name)
{
    public ForwardingConfig Forwarding { get; init; } = ForwardingConfig.Default;

    public HttpLimitsConfig Limits { get; init; } = HttpLimitsConfig.Default;

    public HttpTimeoutsConfig Timeouts { get; init; } = HttpTimeoutsConfig.Default;

    public EquatableArray<UpgradeConfig> UpgradeConfigs { get; init; } = EquatableArray<UpgradeConfig>.Empty;

    /// <summary>The <c>tracing</c> block; null when the connection manager does not trace.</summary>
    public TracingConfig? Tracing { get; init; }

    /// <summary><c>local_reply_config</c>; null: local replies go out as made (Envoy's default).</summary>
    public LocalReplyConfig? LocalReply { get; init; }
}
