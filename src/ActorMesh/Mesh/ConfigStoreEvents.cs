using ActorMesh.Config;

namespace ActorMesh.Mesh;

/// <summary>What the ConfigStore journals. Each event creates exactly one version.</summary>
public interface IConfigStoreEvent : IConfigStoreMessage
{
    long Version { get; }
}

/// <summary>A validated config became version <see cref="Version"/>.</summary>
public sealed record ConfigApplied(long Version, string Yaml, string Author, DateTimeOffset Timestamp, string? Comment)
    : IConfigStoreEvent;

/// <summary>
/// Version <see cref="ToVersion"/>'s content became version <see cref="NewVersion"/>. The YAML is carried, not looked
/// up, so every event is self-contained: a journal reader (replication, an audit export) needs no earlier event, and
/// recovery from a snapshot never needs the version rolled back to.
/// </summary>
public sealed record RolledBack(long NewVersion, long ToVersion, string Yaml, string Author, DateTimeOffset Timestamp, string? Comment)
    : IConfigStoreEvent
{
    long IConfigStoreEvent.Version => NewVersion;
}

/// <summary>The whole history, oldest first: every version is served by GetVersion and Diff, so none can be dropped.</summary>
public sealed record ConfigStoreSnapshot(EquatableArray<ConfigVersion> Versions) : IConfigStoreMessage;
