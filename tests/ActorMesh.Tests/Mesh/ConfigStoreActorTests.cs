using ActorMesh.Mesh;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Xunit;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Tests.Mesh;

/// <summary>The ConfigStore on its embedded default: a real SQLite file in a temp data directory.</summary>
public sealed class ConfigStoreActorTests : IDisposable
{
    private readonly TempDirectory _dataDir = new();

    public void Dispose() => _dataDir.Dispose();

    [Fact]
    public async Task Core_scenario_on_a_sqlite_file()
    {
        await ConfigStoreScenario.RunAsync(ConfigStorePersistence.Sqlite(_dataDir.Path));

        Assert.True(File.Exists(Path.Combine(_dataDir.Path, "actormesh.db")));
        // Journal rows carry our serializer and versioned manifests, never a CLR type name.
        Assert.Equal(
            ["4410 applied-v1", "4410 applied-v1", "4410 rolled-back-v1", "4410 applied-v1"],
            Column("SELECT identifier || ' ' || manifest FROM journal ORDER BY sequence_number", r => r.GetString(0)));
    }

    [Fact]
    public async Task Sqlite_data_directory_is_created()
    {
        var nested = Path.Combine(_dataDir.Path, "a", "b");
        await using var store = ConfigStoreHarness.Start(ConfigStorePersistence.Sqlite(nested));

        Assert.Equal(new Accepted(1, true), await store.Ask<Accepted>(new Apply(MeshConfigs.Valid(8080), "alice", null)));
        Assert.True(File.Exists(Path.Combine(nested, ConfigStorePersistence.DatabaseFileName)));
    }

    [Fact]
    public async Task Invalid_config_on_an_empty_store_changes_nothing_across_a_restart()
    {
        await using var store = ConfigStoreHarness.Start(ConfigStorePersistence.Sqlite(_dataDir.Path));

        var rejected = await store.Ask<Rejected>(new Apply(MeshConfigs.Invalid, "mallory", null));
        Assert.Equal([MeshConfigs.InvalidErrorPrefix + ": unknown field"], rejected.Errors);
        await store.RestartAsync();

        Assert.Equal(new Current(null), await store.Ask<Current>(GetCurrent.Instance));
        Assert.Empty((await store.Ask<History>(GetHistory.Instance)).Entries);
        store.Published.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task First_start_applies_only_to_an_empty_store()
    {
        await using var store = ConfigStoreHarness.Start(ConfigStorePersistence.Sqlite(_dataDir.Path));

        Assert.IsType<Rejected>(await store.Ask<object>(new FirstStart(MeshConfigs.Invalid, "node-1")));
        Assert.Equal(new Accepted(1, true), await store.Ask<Accepted>(new FirstStart(MeshConfigs.Valid(8080), "node-1")));
        Assert.Equal("first start", (await store.Ask<Current>(GetCurrent.Instance)).Entry?.Comment);
        Assert.Equal(new Accepted(2, true), await store.Ask<Accepted>(new Apply(MeshConfigs.Valid(8081), "alice", null)));
        await store.RestartAsync();

        // A node restarted with its original file keeps serving what the store says, not the file.
        Assert.Equal(new KeptCurrent(2), await store.Ask<KeptCurrent>(new FirstStart(MeshConfigs.Valid(8080), "node-1")));
        Assert.Equal(MeshConfigs.Valid(8081), (await store.Ask<Current>(GetCurrent.Instance)).Entry?.Yaml);
    }

    [Fact]
    public async Task Versions_are_stamped_by_the_clock_and_keep_their_time_across_a_restart()
    {
        var at = new DateTimeOffset(2026, 11, 26, 4, 5, 6, 789, TimeSpan.Zero);
        await using var store = ConfigStoreHarness.Start(ConfigStorePersistence.Sqlite(_dataDir.Path), clock: new FixedClock(at));
        await store.Ask<Accepted>(new Apply(MeshConfigs.Valid(8080), "alice", null));
        await store.RestartAsync();

        Assert.Equal(at, (await store.Ask<History>(GetHistory.Instance)).Entries.Single().Timestamp);
    }

    [Fact]
    public async Task Snapshot_every_n_versions_and_recovery_from_it_is_complete()
    {
        var config = ConfigurationFactory.ParseString("actormesh.config-store.snapshot-every = 3")
            .WithFallback(ConfigStorePersistence.Sqlite(_dataDir.Path));
        await using var store = ConfigStoreHarness.Start(config);
        for (var port = 8081; port <= 8087; port++)
        {
            await store.Ask<Accepted>(new Apply(MeshConfigs.Valid(port), "alice", $"port {port}"));
        }
        var before = await store.Ask<History>(GetHistory.Instance);

        // The snapshot at version 6 replaces the one at 3.
        await AwaitSnapshotsAsync([6]);
        // Recovery must come from the snapshot: the events it covers are gone.
        await store.System.Terminate();
        Execute("DELETE FROM journal WHERE sequence_number <= 6");
        await store.RestartAsync();

        Assert.Equal(before, await store.Ask<History>(GetHistory.Instance));
        Assert.Equal(MeshConfigs.Valid(8083), (await store.Ask<VersionFound>(new GetVersion(3))).Entry.Yaml);
        Assert.Equal(MeshConfigs.Valid(8087), (await store.Ask<Current>(GetCurrent.Instance)).Entry?.Yaml);
        Assert.Equal(new Accepted(8, true), await store.Ask<Accepted>(new Apply(MeshConfigs.Valid(8088), "alice", null)));
    }

    private async Task AwaitSnapshotsAsync(long[] expected)
    {
        var deadline = DateTime.UtcNow + ConfigStoreHarness.AskTimeout;
        long[] actual;
        do
        {
            try
            {
                actual = Column("SELECT sequence_number FROM snapshot ORDER BY sequence_number", r => r.GetInt64(0));
            }
            catch (SqliteException)
            {
                // The snapshot table is created with the first snapshot.
                actual = [];
            }
            if (actual.SequenceEqual(expected))
            {
                return;
            }
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(expected, actual);
    }

    private T[] Column<T>(string sql, Func<SqliteDataReader, T> read)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<T>();
        while (reader.Read())
        {
            values.Add(read(reader));
        }
        return [.. values];
    }

    private void Execute(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={ConfigStorePersistence.DatabasePath(_dataDir.Path)}");
        connection.Open();
        return connection;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
