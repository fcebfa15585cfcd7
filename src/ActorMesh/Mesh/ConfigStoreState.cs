using ActorMesh.Config;

namespace ActorMesh.Mesh;

/// <summary>
/// The ConfigStore's state: every version, oldest first, numbered 1, 2, 3… with no gaps. Immutable; events fold into it
/// during recovery and after each persist alike, so both paths produce the same state.
/// </summary>
public sealed record ConfigStoreState(EquatableArray<ConfigVersion> Versions)
{
    public static ConfigStoreState Empty { get; } = new(EquatableArray<ConfigVersion>.Empty);

    public ConfigVersion? Current => Versions.Count == 0 ? null : Versions[^1];

    public long NextVersion => Versions.Count + 1;

    public ConfigVersion? Find(long version) =>
        version >= 1 && version <= Versions.Count ? Versions[(int)(version - 1)] : null;

    public EquatableArray<ConfigHistoryEntry> History => Versions.Select(v => v.ToHistoryEntry()).ToEquatableArray();

    public string DescribeUnknown(long version) => Versions.Count == 0
        ? $"version {version} does not exist: the config store is empty"
        : $"version {version} does not exist: the config store has versions 1 to {Versions.Count}";

    public ConfigStoreState Apply(IConfigStoreEvent @event)
    {
        if (@event.Version != NextVersion)
        {
            // Versions are the journal's order; a gap means events were lost or replayed out of order.
            throw new InvalidOperationException($"Event for version {@event.Version} cannot follow version {Versions.Count}.");
        }
        var entry = @event switch
        {
            ConfigApplied a => new ConfigVersion(a.Version, a.Yaml, a.Author, a.Timestamp, a.Comment, ConfigChangeKind.Applied, null),
            RolledBack r => new ConfigVersion(r.NewVersion, r.Yaml, r.Author, r.Timestamp, r.Comment, ConfigChangeKind.RolledBack, r.ToVersion),
            _ => throw new ArgumentException($"Unknown config store event {@event.GetType().Name}.", nameof(@event)),
        };
        return new ConfigStoreState(Versions.AsImmutableArray().Add(entry).ToEquatableArray());
    }

    public ConfigStoreSnapshot ToSnapshot() => new(Versions);

    public static ConfigStoreState FromSnapshot(ConfigStoreSnapshot snapshot)
    {
        for (var i = 0; i < snapshot.Versions.Count; i++)
        {
            if (snapshot.Versions[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Snapshot holds version {snapshot.Versions[i].Version} at position {i + 1}.");
            }
        }
        return new ConfigStoreState(snapshot.Versions);
    }
}
