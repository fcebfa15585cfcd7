using Akka.Configuration;

namespace ActorMesh.Mesh;

/// <summary>The ConfigStore's own settings, read from <c>actormesh.config-store</c> (hocon/persistence.hocon).</summary>
/// <param name="PersistenceId">
/// The journal's key for the history. One per mesh; two meshes may share a PostgreSQL database under different ids.
/// </param>
public sealed record ConfigStoreSettings(int SnapshotEvery, string PersistenceId)
{
    public const int DefaultSnapshotEvery = 10;

    public const string DefaultPersistenceId = "actormesh-config-store";

    public static ConfigStoreSettings Default { get; } = new(DefaultSnapshotEvery, DefaultPersistenceId);

    public static ConfigStoreSettings FromConfig(Akka.Configuration.Config config)
    {
        var snapshotEvery = config.GetInt("actormesh.config-store.snapshot-every", DefaultSnapshotEvery);
        if (snapshotEvery < 1)
        {
            throw new ConfigurationException($"actormesh.config-store.snapshot-every must be at least 1, not {snapshotEvery}.");
        }
        var persistenceId = config.GetString("actormesh.config-store.persistence-id", DefaultPersistenceId);
        if (string.IsNullOrWhiteSpace(persistenceId))
        {
            throw new ConfigurationException("actormesh.config-store.persistence-id must not be empty.");
        }
        return new ConfigStoreSettings(snapshotEvery, persistenceId);
    }
}
