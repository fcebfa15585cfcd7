namespace ActorMesh.Mesh;

/// <summary>How a version came to be: a config applied as written, or the content of an earlier version again.</summary>
public enum ConfigChangeKind
{
    Applied,
    RolledBack,
}

/// <summary>One stored version of the mesh's config: the full YAML as validated, and who made it and why.</summary>
/// <param name="RolledBackTo">The version whose content this one restored; null for <see cref="ConfigChangeKind.Applied"/>.</param>
public sealed record ConfigVersion(
    long Version,
    string Yaml,
    string Author,
    DateTimeOffset Timestamp,
    string? Comment,
    ConfigChangeKind Kind,
    long? RolledBackTo)
{
    public ConfigHistoryEntry ToHistoryEntry() => new(Version, Author, Timestamp, Comment, Kind, RolledBackTo);
}

/// <summary>A version as listed by history: everything but the YAML body, so a long history stays a small message.</summary>
public sealed record ConfigHistoryEntry(
    long Version,
    string Author,
    DateTimeOffset Timestamp,
    string? Comment,
    ConfigChangeKind Kind,
    long? RolledBackTo);
