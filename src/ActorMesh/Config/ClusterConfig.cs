namespace ActorMesh.Config;

public enum DiscoveryType
{
    Static,
    StrictDns,
}

public enum LbPolicy
{
    RoundRobin,
}

/// <summary>Envoy's <c>Cluster</c>. Endpoints come from <c>load_assignment</c> or the legacy v2 <c>hosts</c> list.</summary>
public sealed record ClusterConfig(
    string Name,
    TimeSpan ConnectTimeout,
    DiscoveryType Type,
    LbPolicy LbPolicy,
    EquatableArray<SocketAddressConfig> Endpoints,
    TimeSpan DnsRefreshRate)
{
    /// <summary>Envoy's default <c>connect_timeout</c>.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Envoy's default <c>dns_refresh_rate</c>.</summary>
    public static readonly TimeSpan DefaultDnsRefreshRate = TimeSpan.FromSeconds(5);
}
