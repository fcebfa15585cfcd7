using Akka.Configuration;

namespace ActorMesh.Mesh;

/// <summary>The ConfigStore's own settings, read from <c>actormesh.config-store</c> (hocon/persistence.hocon).</summary>
public sealed record ConfigStoreSettings(int SnapshotEvery)
{
    public const int DefaultSnapshotEvery = 10;

    public static ConfigStoreSettings Default { get; } = new(DefaultSnapshotEvery);

    public static ConfigStoreSettings FromConfig(Akka.Configuration.Config config)
    {
        var snapshotEvery = config.GetInt("actormesh.config-store.snapshot-every", DefaultSnapshotEvery);
        if (snapshotEvery < 1)
        {
            throw new ConfigurationException($"actormesh.config-store.snapshot-every must be at least 1, not {snapshotEvery}.");
        }
        return new ConfigStoreSettings(snapshotEvery);
    }
}
