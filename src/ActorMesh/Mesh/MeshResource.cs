using System.Security.Cryptography;
using System.Text;

namespace ActorMesh.Mesh;

/// <summary>The kinds of resource the replicated routing table holds, one DistributedData key each (DESIGN.md §3).</summary>
public enum MeshResourceKind
{
    Listener,
    Cluster,
}

/// <summary>
/// One resource of a config version as the routing table replicates it: its key (<c>listener/NAME</c>,
/// <c>cluster/NAME</c>), its YAML text and the hash of that text, which the version manifest names so that a node can
/// tell a current value from a stale one.
/// </summary>
public sealed record MeshResource(MeshResourceKind Kind, string Key, string Yaml)
{
    public string Hash { get; } = HashOf(Yaml);

    public int SizeBytes => Encoding.UTF8.GetByteCount(Yaml);

    public MeshResourceRef Ref => new(Key, Hash);

    public static string HashOf(string yaml) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)).AsSpan(0, 12));
}

/// <summary>A resource as the version manifest names it: its key and the hash of the content the version expects.</summary>
public sealed record MeshResourceRef(string Key, string Hash)
{
    public MeshResourceKind Kind => Key.StartsWith("cluster/", StringComparison.Ordinal) ? MeshResourceKind.Cluster : MeshResourceKind.Listener;
}
