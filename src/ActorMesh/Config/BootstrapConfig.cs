namespace ActorMesh.Config;

/// <summary>The whole of an Envoy bootstrap file that ActorMesh understands: <c>static_resources</c> and <c>admin</c>.</summary>
public sealed record BootstrapConfig(StaticResourcesConfig StaticResources, AdminConfig? Admin)
{
    /// <summary>Envoy's bootstrap <c>node</c>: who this proxy is, as <c>/server_info</c> and traces report it.</summary>
    public NodeConfig? Node { get; init; }

    /// <summary>Envoy's default <c>stats_flush_interval</c>.</summary>
    public static readonly TimeSpan DefaultStatsFlushInterval = TimeSpan.FromSeconds(5);

    /// <summary>How often each stats scope latches its values and flushes them to the stats sinks.</summary>
    public TimeSpan StatsFlushInterval { get; init; } = DefaultStatsFlushInterval;

    public StatsConfig StatsConfig { get; init; } = StatsConfig.Default;

    /// <summary>The bootstrap's <c>stats_sinks</c>, each flushed to every <see cref="StatsFlushInterval"/>.</summary>
    public EquatableArray<StatsSinkConfig> StatsSinks { get; init; } = EquatableArray<StatsSinkConfig>.Empty;

    /// <summary><c>layered_runtime.layers</c>, lowest priority first; empty when the bootstrap has none.</summary>
    public EquatableArray<RuntimeLayerConfig> RuntimeLayers { get; init; } = EquatableArray<RuntimeLayerConfig>.Empty;
}

public sealed record StaticResourcesConfig(EquatableArray<ListenerConfig> Listeners, EquatableArray<ClusterConfig> Clusters);

/// <summary>Envoy's <c>socket_address</c>: an IP literal or (for DNS clusters) a host name, and a port.</summary>
public sealed record SocketAddressConfig(string Address, int Port)
{
    public override string ToString() => Address.Contains(':') ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}

/// <summary>Envoy's <c>admin</c> block.</summary>
public sealed record AdminConfig(SocketAddressConfig Address, string? AccessLogPath);

/// <summary>Envoy's <c>node</c> (<c>id</c>, <c>cluster</c>): the identity a node reports; in a mesh it stays with each node.</summary>
public sealed record NodeConfig(string? Id, string? Cluster);
