namespace ActorMesh.Config;

/// <summary>
/// How a cluster speaks HTTP to its endpoints and pools its connections: v3
/// <c>typed_extension_protocol_options</c> with <c>HttpProtocolOptions</c> (<c>common_http_protocol_options</c>,
/// <c>explicit_http_config</c>), or v2's cluster-level <c>common_http_protocol_options</c>,
/// <c>max_requests_per_connection</c>, <c>http_protocol_options</c> and <c>http2_protocol_options</c>.
/// </summary>
internal static class UpstreamProtocolReader
{
    private const string HttpProtocolOptionsType = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    /// <summary>Envoy's bounds on the HTTP/2 flow-control windows: the protocol's initial 65535 to 2^31 - 1.</summary>
    private const long MinWindowSize = 65_535;

    private const long MaxWindowSize = int.MaxValue;

    public static (ConnectionPoolConfig Pool, Http2ProtocolOptionsConfig? Http2) Read(YamlMap cluster)
    {
        var pool = ConnectionPoolConfig.Default;
        if (cluster.Map("common_http_protocol_options") is { } v2Common)
        {
            pool = ReadCommon(v2Common, pool);
        }
        if (ProtoValueReader.UInt32(cluster, "max_requests_per_connection") is { } v2Max)
        {
            pool = pool with { MaxRequestsPerConnection = v2Max };
        }
        var http2 = ReadV2Protocol(cluster);
        if (cluster.Map("typed_extension_protocol_options") is not { } extensions)
        {
            return (pool, http2);
        }
        foreach (var name in new[] { HttpProtocolOptionsType, "envoy.upstreams.http.http_protocol_options" })
        {
            if (extensions.Map(name) is not { } options)
            {
                continue;
            }
            if (cluster.HasAny("http_protocol_options", "http2_protocol_options"))
            {
                // Envoy: the typed options replace the v2 fields; both at once is ambiguous.
                extensions.Error(name, "cannot be combined with the cluster's http_protocol_options or http2_protocol_options");
            }
            var typeUrl = options.Scalar("@type");
            if (typeUrl is not null && typeUrl != "type.googleapis.com/" + HttpProtocolOptionsType)
            {
                options.Error("@type", $"unsupported type '{typeUrl}' (supported: type.googleapis.com/{HttpProtocolOptionsType})");
            }
            if (options.Map("common_http_protocol_options") is { } common)
            {
                pool = ReadCommon(common, pool);
            }
            if (options.Map("explicit_http_config") is { } explicitConfig)
            {
                http2 = ReadExplicit(explicitConfig);
            }
        }
        return (pool, http2);
    }

    private static Http2ProtocolOptionsConfig? ReadV2Protocol(YamlMap cluster)
    {
        if (cluster.Has("http_protocol_options") && cluster.Has("http2_protocol_options"))
        {
            // Envoy: both only with a protocol_selection other than USE_CONFIGURED_PROTOCOL, which ActorMesh lacks.
            cluster.Error("http2_protocol_options", "cannot be combined with http_protocol_options");
        }
        // HTTP/1.1 is the default; none of its options is supported, so any field in it is reported as unknown.
        cluster.Map("http_protocol_options");
        return cluster.Map("http2_protocol_options") is { } http2 ? ReadHttp2(http2) : null;
    }

    /// <summary><c>explicit_http_config</c>'s oneof: exactly one of HTTP/1.1 and HTTP/2.</summary>
    private static Http2ProtocolOptionsConfig? ReadExplicit(YamlMap explicitConfig)
    {
        if (explicitConfig.Has("http_protocol_options") && explicitConfig.Has("http2_protocol_options"))
        {
            explicitConfig.Error("http2_protocol_options", "only one of http_protocol_options and http2_protocol_options may be set");
        }
        if (explicitConfig.Map("http2_protocol_options") is { } http2)
        {
            explicitConfig.Map("http_protocol_options");
            return ReadHttp2(http2);
        }
        explicitConfig.RequiredMap("http_protocol_options", "http2_protocol_options");
        return null;
    }

    private static Http2ProtocolOptionsConfig ReadHttp2(YamlMap http2)
    {
        var d = Http2ProtocolOptionsConfig.Default;
        return new Http2ProtocolOptionsConfig(
            (uint)(ProtoValueReader.UInt32(http2, "hpack_table_size") ?? d.HpackTableSize),
            (uint)(ProtoValueReader.UInt32(http2, "max_concurrent_streams", 1, int.MaxValue) ?? d.MaxConcurrentStreams),
            (uint)(ProtoValueReader.UInt32(http2, "initial_stream_window_size", MinWindowSize, MaxWindowSize) ?? d.InitialStreamWindowSize),
            (uint)(ProtoValueReader.UInt32(http2, "initial_connection_window_size", MinWindowSize, MaxWindowSize) ?? d.InitialConnectionWindowSize));
    }

    private static ConnectionPoolConfig ReadCommon(YamlMap common, ConnectionPoolConfig pool)
    {
        var idle = common.Duration("idle_timeout");
        var max = ProtoValueReader.UInt32(common, "max_requests_per_connection");
        return new ConnectionPoolConfig(
            // Envoy: an idle_timeout of 0 disables it.
            idle is { } i ? (i == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : i) : pool.IdleTimeout,
            max ?? pool.MaxRequestsPerConnection);
    }
}
