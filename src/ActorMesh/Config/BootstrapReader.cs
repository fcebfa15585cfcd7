namespace ActorMesh.Config;

/// <summary>The top of an Envoy bootstrap: <c>static_resources</c> and <c>admin</c>.</summary>
internal static class BootstrapReader
{
    public static BootstrapConfig? Read(YamlMap root, ConfigReadContext context)
    {
        var staticResources = root.Map("static_resources") is { } resources
            ? ReadStaticResources(resources, context)
            : new StaticResourcesConfig(EquatableArray<ListenerConfig>.Empty, EquatableArray<ClusterConfig>.Empty);
        var admin = root.Map("admin") is { } adminMap ? ReadAdmin(adminMap) : null;
        var node = root.Map("node") is { } nodeMap ? new NodeConfig(nodeMap.Scalar("id"), nodeMap.Scalar("cluster")) : null;
        var flushInterval = ReadFlushInterval(root);
        var statsConfig = root.Map("stats_config") is { } statsMap ? StatsConfigReader.Read(statsMap, context) : StatsConfig.Default;
        var sinks = ReadResults.AllOrNull(root.Sequence("stats_sinks").Select(sink => StatsSinkReader.Read(sink, context)));
        var runtimeLayers = root.Map("layered_runtime") is { } runtime
            ? LayeredRuntimeReader.Read(runtime, context)
            : EquatableArray<RuntimeLayerConfig>.Empty;
        if (staticResources is null || (root.Has("admin") && admin is null) || flushInterval is null || statsConfig is null || sinks is null || runtimeLayers is null)
        {
            return null;
        }
        return new BootstrapConfig(staticResources, admin)
        {
            StatsFlushInterval = flushInterval.Value,
            StatsConfig = statsConfig,
            StatsSinks = sinks.Value,
            RuntimeLayers = runtimeLayers.Value,
            Node = node,
        };
    }

    /// <summary>Envoy's <c>stats_flush_interval</c>: at least 1 ms and under 300 s (its proto's bounds), 5 s when absent.</summary>
    private static TimeSpan? ReadFlushInterval(YamlMap root)
    {
        if (!root.Has("stats_flush_interval"))
        {
            root.Take("stats_flush_interval");
            return BootstrapConfig.DefaultStatsFlushInterval;
        }
        var interval = root.Duration("stats_flush_interval");
        if (interval is { } value && (value < TimeSpan.FromMilliseconds(1) || value >= TimeSpan.FromSeconds(300)))
        {
            root.Error("stats_flush_interval", "must be at least 1ms and less than 300s");
            return null;
        }
        return interval;
    }

    private static StaticResourcesConfig? ReadStaticResources(YamlMap resources, ConfigReadContext context)
    {
        var listeners = ReadResults.AllOrNull(
            resources.Sequence("listeners").Select((listener, index) => ListenerReader.Read(listener, index, context)));
        var clusters = ReadResults.AllOrNull(resources.Sequence("clusters").Select(cluster => ClusterReader.Read(cluster, context)));
        return listeners is null || clusters is null ? null : new StaticResourcesConfig(listeners.Value, clusters.Value);
    }

    private static AdminConfig? ReadAdmin(YamlMap admin)
    {
        var accessLogPath = admin.Scalar("access_log_path");
        return SocketAddressReader.ReadRequired(admin, "address", AddressRules.Bind) is { } address
            ? new AdminConfig(address.Value, accessLogPath)
            : null;
    }
}
