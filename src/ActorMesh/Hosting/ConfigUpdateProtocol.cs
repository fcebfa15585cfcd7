using ActorMesh.Config;

namespace ActorMesh.Hosting;

/// <summary>How a new config version reaches a running node, from whatever source (admin, file watch, the mesh).</summary>
public static class ConfigUpdateProtocol
{
    /// <summary>
    /// Apply a validated config as <paramref name="Version"/> (null: the applied version + 1, for local sources).
    /// <paramref name="Source"/> says where it came from (<c>admin</c>, <c>file</c>, …) for the status. Answered with
    /// <see cref="VersionApplied"/> or <see cref="VersionRejected"/>; versions are applied one at a time, in order.
    /// </summary>
    public sealed record ApplyVersion(BootstrapConfig Config, long? Version, string Source);

    /// <summary>
    /// A version that never got as far as a config (the mesh's resources did not validate on this node): recorded as a
    /// NACK like any refused version, answered with <see cref="VersionRejected"/>.
    /// </summary>
    public sealed record RejectVersion(long Version, string Source, string Reason);

    /// <summary>The ACK: the node now serves the version.</summary>
    public sealed record VersionApplied(ConfigStatus Status);

    /// <summary>The NACK: the node still serves <see cref="ConfigStatus.Version"/> of <paramref name="Status"/>.</summary>
    public sealed record VersionRejected(ConfigNack Nack, ConfigStatus Status);

    public sealed record GetStatus
    {
        public static readonly GetStatus Instance = new();
    }
}
