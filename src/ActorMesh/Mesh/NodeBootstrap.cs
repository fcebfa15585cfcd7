using ActorMesh.Config;

namespace ActorMesh.Mesh;

/// <summary>
/// Turns the routing table's resources into the config this node serves: the replicated <c>static_resources</c>,
/// the node's own top-level fields (admin, stats settings and sinks, from its <c>-c</c> file if it has one) and its
/// <see cref="NodeOverrides"/>. Validated with the same loader as <c>--mode validate</c>, against this node's view.
/// </summary>
public sealed record NodeBootstrap(string? NodeLocalYaml, NodeOverrides Overrides)
{
    /// <summary>A node with no file of its own: no admin unless <c>--admin-address</c>, default stats settings.</summary>
    public static NodeBootstrap Bare(NodeOverrides overrides) => new(null, overrides);

    /// <summary>A node started with <c>-c FILE</c>: everything but the file's static resources stays with the node.</summary>
    public static NodeBootstrap FromFile(string yaml, NodeOverrides overrides) => new(MeshResources.NodeLocalPart(yaml), overrides);

    public ConfigLoadResult Build(IEnumerable<MeshResource> resources)
    {
        var loaded = ConfigLoader.LoadYaml(MeshResources.Assemble(resources, NodeLocalYaml));
        return loaded.IsValid ? loaded with { Config = Overrides.Apply(loaded.Config!) } : loaded;
    }
}
