namespace ActorMesh.Config;

public enum RuntimeLayerKind
{
    Static,
    Disk,
    Admin,
}

/// <summary>
/// One of the bootstrap's <c>layered_runtime.layers</c>: a <c>static_layer</c> (its map flattened to dotted keys),
/// a <c>disk_layer</c> (the directory <c>symlink_root/subdirectory</c>, read when the runtime is built) or the
/// <c>admin_layer</c>.
/// </summary>
public sealed record RuntimeLayerConfig(string Name, RuntimeLayerKind Kind)
{
    public EquatableArray<KeyValuePair<string, string>> StaticValues { get; init; } = EquatableArray<KeyValuePair<string, string>>.Empty;

    public string? DiskPath { get; init; }
}
