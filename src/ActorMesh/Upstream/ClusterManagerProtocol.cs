using ActorMesh.Config;

namespace ActorMesh.Upstream;

/// <summary>
/// How a config version reaches the <see cref="ClusterManager"/>: <see cref="Prepare"/> builds and warms what is new,
/// then exactly one of <see cref="Commit"/> (the version is served) or <see cref="Abort"/> (it was NACKed).
/// </summary>
public static class ClusterManagerProtocol
{
    /// <summary>
    /// Create a cluster for every config that is new or changed (kept ones are reused) and wait for their first host
    /// set, up to the warming timeout; answered with <see cref="Prepared"/>. Nothing served changes yet.
    /// </summary>
    public sealed record Prepare(long Version, EquatableArray<ClusterConfig> Clusters);

    /// <summary>The cluster set <see cref="Prepare"/> built: what listeners of this version must route to.</summary>
    public sealed record Prepared(long Version, IReadOnlyDictionary<string, UpstreamCluster> Clusters);

    /// <summary>
    /// The prepared set is now every listener's: clusters it replaced or dropped are stopped (their idle upstream
    /// connections closed) and dropped names lose their stats scope. Answered with <see cref="Committed"/>.
    /// </summary>
    public sealed record Commit(long Version);

    public sealed record Committed(long Version);

    /// <summary>The version was not applied: stop the clusters <see cref="Prepare"/> created; the served set stays.</summary>
    public sealed record Abort(long Version);
}
