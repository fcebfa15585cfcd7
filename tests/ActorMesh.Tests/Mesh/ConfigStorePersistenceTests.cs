using ActorMesh.Mesh;
using Akka.Configuration;
using Xunit;

namespace ActorMesh.Tests.Mesh;

public sealed class ConfigStorePersistenceTests : IDisposable
{
    private const string Postgres = "Host=db;Database=mesh;Username=mesh;Password=p\"w\\d";
    private readonly TempDirectory _dataDir = new();

    public void Dispose() => _dataDir.Dispose();

    [Fact]
    public void Without_a_postgres_connection_string_the_store_is_a_sqlite_file_in_the_data_dir()
    {
        var dataDir = Path.Combine(_dataDir.Path, "data");
        var config = ConfigStorePersistence.ForNode(ConfigStorePersistence.Defaults, dataDir, _ => null);

        Assert.True(Directory.Exists(dataDir));
        Assert.Equal("SQLite.MS", config.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.Equal($"Data Source={Path.Combine(dataDir, "actormesh.db")}", config.GetString("akka.persistence.snapshot-store.sql.connection-string"));
        AssertCompletePluginConfig(config);
    }

    [Fact]
    public void The_environment_variable_selects_postgresql()
    {
        var config = ConfigStorePersistence.ForNode(
            ConfigStorePersistence.Defaults, _dataDir.Path, name => name == "ACTORMESH_POSTGRES" ? Postgres : null);

        Assert.Equal("PostgreSQL.15", config.GetString("akka.persistence.snapshot-store.sql.provider-name"));
        Assert.Equal(Postgres, config.GetString("akka.persistence.journal.sql.connection-string"));
        AssertCompletePluginConfig(config);
    }

    [Fact]
    public void Hocon_connection_string_wins_over_the_environment()
    {
        var node = ConfigurationFactory.ParseString("actormesh.config-store.postgres.connection-string = \"Host=from-hocon\"");

        var config = ConfigStorePersistence.ForNode(node, _dataDir.Path, _ => Postgres);

        Assert.Equal("Host=from-hocon", config.GetString("akka.persistence.journal.sql.connection-string"));
    }

    [Fact]
    public void Settings_come_from_hocon_with_defaults()
    {
        Assert.Equal(ConfigStoreSettings.Default, ConfigStoreSettings.FromConfig(ConfigStorePersistence.Defaults));
        Assert.Equal(
            new ConfigStoreSettings(3, "other-mesh"),
            ConfigStoreSettings.FromConfig(ConfigurationFactory.ParseString("""
                actormesh.config-store { snapshot-every = 3, persistence-id = other-mesh }
                """)));
        Assert.Throws<ConfigurationException>(() =>
            ConfigStoreSettings.FromConfig(ConfigurationFactory.ParseString("actormesh.config-store.snapshot-every = 0")));
    }

    private static void AssertCompletePluginConfig(Akka.Configuration.Config config)
    {
        Assert.Equal("akka.persistence.journal.sql", config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("akka.persistence.snapshot-store.sql", config.GetString("akka.persistence.snapshot-store.plugin"));
        // The plugin's own defaults are layered in: plain HOCON without them fails with "Plugin class name must be defined".
        Assert.StartsWith("Akka.Persistence.Sql.Journal.SqlWriteJournal", config.GetString("akka.persistence.journal.sql.class"), StringComparison.Ordinal);
        Assert.True(config.GetBoolean("akka.persistence.journal.sql.auto-initialize"));
        Assert.True(config.GetBoolean("akka.persistence.snapshot-store.sql.auto-initialize"));
        Assert.Equal(10, config.GetInt("actormesh.config-store.snapshot-every"));
        Assert.Equal(
            "actormesh-config-store",
            config.GetString("akka.actor.serialization-bindings.\"ActorMesh.Mesh.IConfigStoreMessage, ActorMesh.Core\""));
    }
}
