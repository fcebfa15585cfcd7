using ActorMesh.Mesh;
using Xunit;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Tests.Mesh;

/// <summary>
/// The store's core contract on a real journal, run against each backend: apply, reject, no-op re-apply, history,
/// diff, rollback, and a restart that recovers the same history.
/// </summary>
internal static class ConfigStoreScenario
{
    public static async Task RunAsync(Akka.Configuration.Config config, ConfigStoreSettings? settings = null)
    {
        var v1 = MeshConfigs.Valid(8080);
        var v2 = MeshConfigs.Valid(8081);
        await using var store = ConfigStoreHarness.Start(config, settings);

        Assert.Equal(new Current(null), await store.Ask<Current>(GetCurrent.Instance));
        Assert.Equal(new Accepted(1, Created: true), await store.Ask<Accepted>(new Apply(v1, "alice", "initial")));
        store.Published.ExpectMsg(new VersionCommitted(1, v1));
        Assert.Equal(new Accepted(2, Created: true), await store.Ask<Accepted>(new Apply(v2, "bob", null)));
        store.Published.ExpectMsg(new VersionCommitted(2, v2));

        var rejected = await store.Ask<Rejected>(new Apply(MeshConfigs.Invalid, "mallory", "broken"));
        Assert.Contains(rejected.Errors, e => e.StartsWith(MeshConfigs.InvalidErrorPrefix, StringComparison.Ordinal));
        Assert.Equal(2, (await store.Ask<Current>(GetCurrent.Instance)).Entry?.Version);

        // Re-applying what is current makes no version (xDS does not push an unchanged resource).
        Assert.Equal(new Accepted(2, Created: false), await store.Ask<Accepted>(new Apply(v2, "bob", "again")));
        store.Published.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        var history = (await store.Ask<History>(GetHistory.Instance)).Entries;
        Assert.Equal([1L, 2L], history.Select(h => h.Version));
        Assert.Equal(["alice", "bob"], history.Select(h => h.Author));
        Assert.Equal(["initial", null], history.Select(h => h.Comment));
        Assert.All(history, h => Assert.Equal(ConfigChangeKind.Applied, h.Kind));

        var diff = await store.Ask<DiffResult>(new Diff(1, 2));
        Assert.StartsWith("--- version 1\n+++ version 2\n@@ -2,7 +2,7 @@\n", diff.UnifiedDiff, StringComparison.Ordinal);
        Assert.Contains("\n-      socket_address: { address: 127.0.0.1, port_value: 8080 }\n+      socket_address: { address: 127.0.0.1, port_value: 8081 }\n", diff.UnifiedDiff, StringComparison.Ordinal);

        Assert.Equal(new Accepted(3, Created: true), await store.Ask<Accepted>(new Rollback(1, "carol", "8081 is firewalled")));
        store.Published.ExpectMsg(new VersionCommitted(3, v1));
        var v3 = (await store.Ask<VersionFound>(new GetVersion(3))).Entry;
        Assert.Equal(v1, v3.Yaml);
        Assert.Equal((ConfigChangeKind.RolledBack, (long?)1, "carol", "8081 is firewalled"), (v3.Kind, v3.RolledBackTo, v3.Author, v3.Comment));
        Assert.Equal("", (await store.Ask<DiffResult>(new Diff(1, 3))).UnifiedDiff);

        var unknown = await store.Ask<UnknownVersion>(new Rollback(9, "carol", null));
        Assert.Equal("version 9 does not exist: the config store has versions 1 to 3", unknown.Message);
        Assert.IsType<UnknownVersion>(await store.Ask<object>(new Diff(1, 9)));

        var before = (await store.Ask<History>(GetHistory.Instance), await store.Ask<Current>(GetCurrent.Instance));
        await store.RestartAsync();
        // After recovery the store announces its current version, so a replicator on a new singleton node learns it.
        store.Published.ExpectMsg(new VersionCommitted(3, v1));
        Assert.Equal(before, (await store.Ask<History>(GetHistory.Instance), await store.Ask<Current>(GetCurrent.Instance)));
        Assert.Equal(v2, (await store.Ask<VersionFound>(new GetVersion(2))).Entry.Yaml);
        Assert.Equal(new Accepted(4, Created: true), await store.Ask<Accepted>(new Apply(MeshConfigs.Valid(8082), "dave", null)));
    }
}
