using ActorMesh.Mesh;
using Npgsql;
using Xunit;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Tests.Mesh;

/// <summary>
/// The ConfigStore against a real PostgreSQL server (<c>ACTORMESH_TEST_POSTGRES</c>). Each test writes under a
/// persistence id of its own and deletes its rows afterwards, so runs can share one database.
/// </summary>
public sealed class ConfigStorePostgreSqlTests : IAsyncLifetime
{
    private readonly string _persistenceId = "actormesh-config-store-test-" + Guid.NewGuid().ToString("N");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => PostgreSqlRows.DeleteAsync(_persistenceId);

    [PostgreSqlFact]
    public async Task Core_scenario_on_postgresql()
    {
        var config = ConfigStorePersistence.PostgreSql(PostgreSqlFactAttribute.Require());

        await ConfigStoreScenario.RunAsync(config, new ConfigStoreSettings(ConfigStoreSettings.DefaultSnapshotEvery, _persistenceId));

        // The history is in PostgreSQL: one journal row per version.
        await using var connection = new NpgsqlConnection(PostgreSqlFactAttribute.Require());
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM journal WHERE persistence_id = @id", connection);
        count.Parameters.AddWithValue("id", _persistenceId);
        Assert.Equal(4L, await count.ExecuteScalarAsync());
    }

    [PostgreSqlFact]
    public async Task Snapshot_and_recovery_on_postgresql()
    {
        var config = ConfigStorePersistence.PostgreSql(PostgreSqlFactAttribute.Require());
        var settings = new ConfigStoreSettings(SnapshotEvery: 2, _persistenceId);
        await using var store = ConfigStoreHarness.Start(config, settings);
        for (var port = 8081; port <= 8085; port++)
        {
            await store.Ask<Accepted>(new Apply(MeshConfigs.Valid(port), "alice", null));
        }
        var before = await store.Ask<History>(GetHistory.Instance);

        await store.RestartAsync();

        Assert.Equal(before, await store.Ask<History>(GetHistory.Instance));
        Assert.Equal(MeshConfigs.Valid(8085), (await store.Ask<Current>(GetCurrent.Instance)).Entry?.Yaml);
    }
}
