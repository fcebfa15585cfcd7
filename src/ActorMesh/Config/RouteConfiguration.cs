namespace ActorMesh.Config;

/// <summary>Envoy's <c>RouteConfiguration</c>.</summary>
public sealed record RouteConfiguration(string Name, EquatableArray<VirtualHostConfig> VirtualHosts);

/// <summary>Envoy's <c>VirtualHost</c>: <c>domains</c> may be exact, <c>*.suffix</c>, <c>prefix.*</c> or <c>*</c>.</summary>
public sealed record VirtualHostConfig(string Name, EquatableArray<string> Domains, EquatableArray<RouteConfig> Routes);

/// <summary>Envoy's <c>Route</c>: a match and a route action.</summary>
public sealed record RouteConfig(string? Name, RouteMatchConfig Match, RouteActionConfig Action);

public enum PathMatchKind
{
    Prefix,
    Path,
}

/// <summary>Envoy's <c>RouteMatch</c> with exactly one path specifier.</summary>
public sealed record RouteMatchConfig(PathMatchKind Kind, string Value);

/// <summary>Envoy's <c>RouteAction</c>.</summary>
public sealed record RouteActionConfig(string Cluster)
{
    /// <summary>Envoy's default route <c>timeout</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Time for the whole upstream exchange after the request ends; zero disables it.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Overrides the connection manager's <c>stream_idle_timeout</c> for this route; zero disables it.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Per-route <c>upgrade_configs</c>, which override the connection manager's for the same type.</summary>
    public EquatableArray<UpgradeConfig> UpgradeConfigs { get; init; } = EquatableArray<UpgradeConfig>.Empty;
}
