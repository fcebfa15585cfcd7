using ActorMesh.Stats;

namespace ActorMesh.Upstream;

/// <summary>Envoy's <c>cluster_manager.*</c> stats.</summary>
public sealed class ClusterManagerStats
{
    public const string ScopePrefix = "cluster_manager.";

    public ClusterManagerStats(StatsScope scope)
    {
        ClusterAdded = scope.Counter("cluster_added");
        ClusterModified = scope.Counter("cluster_modified");
        ClusterRemoved = scope.Counter("cluster_removed");
        ActiveClusters = scope.Gauge("active_clusters");
        WarmingClusters = scope.Gauge("warming_clusters");
    }

    public Counter ClusterAdded { get; }
    public Counter ClusterModified { get; }
    public Counter ClusterRemoved { get; }
    public Gauge ActiveClusters { get; }
    public Gauge WarmingClusters { get; }
}
