using ActorMesh.Config;
using ActorMesh.Stats;
using ActorMesh.Upstream;

namespace ActorMesh.Admin;

/// <summary>What the admin endpoints read: live stats and cluster state, and the config being served.</summary>
public sealed record AdminContext(
    BootstrapConfig Config,
    StatsStore Stats,
    IReadOnlyDictionary<string, UpstreamCluster> Clusters,
    DateTimeOffset StartedAt,
    string Version);

/// <summary>An admin answer before it is framed for the wire.</summary>
public sealed record AdminResponse(int Status, string ContentType, string Body);
