using System.Diagnostics;
using ActorMesh.Mesh;
using ActorMesh.Tests.Support;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Mesh;

/// <summary>
/// A three-node mesh whose ConfigStore journal is the real PostgreSQL server of <c>ACTORMESH_TEST_POSTGRES</c>, shared
/// by every node, under a persistence id of this test's own (its rows are deleted afterwards).
/// </summary>
public sealed class MeshPostgreSqlTests : IAsyncLifetime
{
    private readonly string _persistenceId = "actormesh-mesh-test-" + Guid.NewGuid().ToString("N");
    private readonly ITestOutputHelper _output;
    private TestUpstream _upstream = null!;

    public MeshPostgreSqlTests(ITestOutputHelper output) => _output = output;

    public Task InitializeAsync()
    {
        _upstream = TestUpstream.Answering("ok");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        await PostgreSqlRows.DeleteAsync(_persistenceId);
    }

    [PostgreSqlFact]
    public async Task A_version_propagates_within_two_seconds_and_a_full_restart_serves_it_from_postgresql()
    {
        var persistence = ConfigStorePersistence.PostgreSql(PostgreSqlFactAttribute.Require());
        var settings = new ConfigStoreSettings(ConfigStoreSettings.DefaultSnapshotEvery, _persistenceId);
        var file = MeshVersions.Version(1, _upstream.Port);
        await using (var mesh = await MeshTestCluster.StartAsync(3, _ => persistence, file, settings, keepLocalHistory: false))
        {
            var started = Stopwatch.GetTimestamp();
            Assert.Equal(2, (await mesh.Nodes[2].Mesh.Authority.ApplyAsync(MeshVersions.Version(2, _upstream.Port), "test")).Version);
            var took = await MeshTestCluster.AllOnVersionAsync(mesh.Nodes, 2, TimeSpan.FromSeconds(2), started);
            _output.WriteLine($"propagation to all 3 nodes with PostgreSQL: {took.TotalMilliseconds:F0} ms");
            Console.WriteLine($"MeshPostgreSqlTests: propagation to all 3 nodes {took.TotalMilliseconds:F0} ms");
        }

        await using var restarted = await MeshTestCluster.StartAsync(3, _ => persistence, file, settings, keepLocalHistory: false);
        await MeshTestCluster.AllOnVersionAsync(restarted.Nodes, 2, TimeSpan.FromSeconds(2));
        foreach (var node in restarted.Nodes)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync(new Uri(node.Web, "v2"))).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync(new Uri(node.Web, "v1"))).StatusCode);
        }

        // Both versions are in PostgreSQL, once each: the restart's -c file did not make a version.
        await using var connection = new NpgsqlConnection(PostgreSqlFactAttribute.Require());
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM journal WHERE persistence_id = @id", connection);
        count.Parameters.AddWithValue("id", _persistenceId);
        Assert.Equal(2L, await count.ExecuteScalarAsync());
    }
}
