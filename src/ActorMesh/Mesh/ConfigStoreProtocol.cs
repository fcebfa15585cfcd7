using ActorMesh.Config;

namespace ActorMesh.Mesh;

/// <summary>Everything the ConfigStore sends, receives or stores; bound to <see cref="ConfigStoreSerializer"/>.</summary>
public interface IConfigStoreMessage;

/// <summary>
/// The ConfigStore's protocol. Replies go to the sender, so the store answers the same whether it is asked locally, across
/// the network or through a cluster singleton proxy.
/// </summary>
public static class ConfigStoreProtocol
{
    /// <summary>Validate the whole config and store it as a new version → <see cref="Accepted"/> or <see cref="Rejected"/>.</summary>
    public sealed record Apply(string Yaml, string Author, string? Comment) : IConfigStoreMessage;

    /// <summary>
    /// The config a node was started with (<c>actormesh -c FILE</c>): applied only when the store has no version yet,
    /// otherwise the stored version wins → <see cref="Accepted"/>, <see cref="Rejected"/> or <see cref="KeptCurrent"/>.
    /// </summary>
    public sealed record FirstStart(string Yaml, string Author) : IConfigStoreMessage;

    /// <summary>
    /// The mesh serves <paramref name="Version"/> but this store's journal ends before it: a node whose SQLite history
    /// did not hold the last versions took the store over. The store continues from the mesh's version, so version
    /// numbers never go back → <see cref="Accepted"/>, or <see cref="KeptCurrent"/> when it is not behind.
    /// </summary>
    public sealed record CatchUp(long Version, string Yaml, string Author) : IConfigStoreMessage;

    /// <summary>
    /// Versions this store's journal lacks, as a node's local history replica kept them (with their authors, times and
    /// comments): each one that continues the journal is stored as it was → <see cref="Accepted"/> with the last
    /// version stored, or <see cref="KeptCurrent"/> when none did.
    /// </summary>
    public sealed record Import(EquatableArray<ConfigVersion> Versions) : IConfigStoreMessage;

    /// <summary>→ <see cref="Current"/>.</summary>
    public sealed record GetCurrent : IConfigStoreMessage
    {
        public static GetCurrent Instance { get; } = new();

        private GetCurrent() { }
    }

    /// <summary>→ <see cref="VersionFound"/> or <see cref="UnknownVersion"/>.</summary>
    public sealed record GetVersion(long Version) : IConfigStoreMessage;

    /// <summary>→ <see cref="History"/>.</summary>
    public sealed record GetHistory : IConfigStoreMessage
    {
        public static GetHistory Instance { get; } = new();

        private GetHistory() { }
    }

    /// <summary>A unified line diff from one version's YAML to another's → <see cref="DiffResult"/> or <see cref="UnknownVersion"/>.</summary>
    public sealed record Diff(long From, long To) : IConfigStoreMessage;

    /// <summary>
    /// Store version <see cref="Version"/>'s content again as a new version → <see cref="Accepted"/>,
    /// <see cref="UnknownVersion"/>, or <see cref="Rejected"/> when today's validator no longer accepts it.
    /// </summary>
    public sealed record Rollback(long Version, string Author, string? Comment) : IConfigStoreMessage;

    /// <summary>
    /// The config is stored as <see cref="Version"/>. <see cref="Created"/> is false when it was identical to the current
    /// version and so no new version was made (as xDS does not push an unchanged resource).
    /// </summary>
    public sealed record Accepted(long Version, bool Created) : IConfigStoreMessage;

    /// <summary>Nothing changed: the config is invalid. Each error names its YAML path and line.</summary>
    public sealed record Rejected(EquatableArray<string> Errors) : IConfigStoreMessage;

    /// <summary>Answers <see cref="FirstStart"/> when the store already had a version: that one stays current.</summary>
    public sealed record KeptCurrent(long Version) : IConfigStoreMessage;

    /// <summary>The current version; null while the store is empty.</summary>
    public sealed record Current(ConfigVersion? Entry) : IConfigStoreMessage;

    public sealed record VersionFound(ConfigVersion Entry) : IConfigStoreMessage;

    /// <summary>A version asked for does not exist; <see cref="Message"/> says which versions do.</summary>
    public sealed record UnknownVersion(long Version, string Message) : IConfigStoreMessage;

    /// <summary>Every version, oldest first, without YAML bodies.</summary>
    public sealed record History(EquatableArray<ConfigHistoryEntry> Entries) : IConfigStoreMessage;

    /// <summary>Empty when the two versions' YAML is identical.</summary>
    public sealed record DiffResult(long From, long To, string UnifiedDiff) : IConfigStoreMessage;

    /// <summary>
    /// Told to the publisher given in the store's Props after each new version is persisted, and once after recovery for
    /// the current version (so a replicator learns it when the singleton starts on a new node). Consumers key on
    /// <see cref="Version"/>: the same version may arrive more than once.
    /// </summary>
    public sealed record VersionCommitted(long Version, string Yaml) : IConfigStoreMessage;
}
