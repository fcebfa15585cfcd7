using Akka.DistributedData;

namespace ActorMesh.Mesh;

/// <summary>
/// The routing table's DistributedData keys. All values are strings (YAML or JSON text) in Akka's own replicated types,
/// so Akka's DData serializer carries them. Registers are written with the config version as their LWW clock: the
/// newest version wins a merge whatever the wall clocks of the writers say.
/// </summary>
public static class MeshKeys
{
    /// <summary>The manifest (<see cref="MeshManifest"/>) of the version the mesh serves; every node subscribes to it.</summary>
    public static readonly LWWRegisterKey<string> Version = new("actormesh-version");

    /// <summary>
    /// One node's applied version and last NACK (<see cref="MeshNodeStatus"/> as JSON), keyed by its address. A register
    /// per node rather than one shared map: each has a single writer, so no merge of concurrent map deltas is involved
    /// (Akka.NET's LWWDictionary deltas have dropped entries, akkadotnet/akka.net#8219).
    /// </summary>
    public static LWWRegisterKey<string> NodeStatus(string nodeAddress) => new("actormesh-node-status-" + nodeAddress);

    /// <summary>One resource's YAML. Keys are never deleted: DData tombstones a deleted key for good, and a resource removed today may come back.</summary>
    public static LWWRegisterKey<string> Resource(string resourceKey) => new("actormesh-" + resourceKey);
}
